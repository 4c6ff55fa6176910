import { describe, expect, it } from 'vitest';
import { inUseInWords } from './inUse';

describe('a deletion refused while in use', () => {
  it('names published variants and referring variants of an entry', () => {
    expect(inUseInWords('entry `home-hero` is in use by published variant "Summer", variant "Landing" of entry `page`', 'The entry “home-hero”'))
      .toBe('The entry “home-hero” cannot be deleted while it is in use by the published variant “Summer”, variant “Landing” of page. Change, unpublish or archive those first, then delete it.');
  });

  it('names the entries of a content type and the users of an audience', () => {
    expect(inUseInWords('content type `Card` is in use by entry `a`, entry `b` and 3 more', 'The content type “Card”'))
      .toBe('The content type “Card” cannot be deleted while it is in use by entry a, entry b and 3 more. Change, unpublish or archive those first, then delete it.');
    expect(inUseInWords('audience "VIP" is in use by audience "Gold", variant "X" of entry `home`', 'The audience “VIP”'))
      .toMatch(/in use by audience “Gold”, variant “X” of home\./);
  });

  it('leaves other conflicts alone', () => {
    expect(inUseInWords('content type 1 is at version 3, not 2', 'It')).toBeNull();
  });
});
