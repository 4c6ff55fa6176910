import { describe, expect, it } from 'vitest';
import { modelRefusal } from './refusal';

describe('a refused model change in words', () => {
  it('names each variant, its entry and what breaks, with what to do', () => {
    const message = 'this change would make 3 variant(s) invalid: variant "Summer" of entry `home-hero` (latest revision: field `title`: is required); '
      + 'variant "VIP (gold)" of entry `promo` (published revision: field `title`: is 98 characters long; at most 80 allowed); and 1 more';
    const r = modelRefusal(message);
    expect(r).not.toBeNull();
    expect(r!.count).toBe(3);
    expect(r!.variants).toEqual([
      { variant: 'Summer', entry: 'home-hero', problem: 'its latest revision: “title” is required' },
      { variant: 'VIP (gold)', entry: 'promo', problem: 'its published revision: “title” is 98 characters long; at most 80 allowed' },
    ]);
    expect(r!.summary).toBe('3 variants would no longer fit: “Summer” of home-hero, “VIP (gold)” of promo and 1 more; change them first or keep the field.');
  });

  it('says "1 variant" for one', () => {
    const r = modelRefusal('this change would make 1 variant(s) invalid: variant "A" of entry `k` (latest revision: field `cards` index 2: must be a string)');
    expect(r!.summary).toBe('1 variant would no longer fit: “A” of k; change them first or keep the field.');
    expect(r!.variants[0].problem).toBe('its latest revision: item 3 of “cards” must be a string');
  });

  it('leaves other messages to the general wording', () => {
    expect(modelRefusal('field name `1x` must start with a letter')).toBeNull();
  });
});
