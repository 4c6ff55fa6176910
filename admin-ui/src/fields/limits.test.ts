import { describe, expect, it } from 'vitest';
import { bindingLimit } from './limits';

describe('the binding length limit', () => {
  it('is the brand’s title maximum when it is lower than the field’s', () => {
    expect(bindingLimit({ name: 'title', maxLength: 80 }, 60)).toEqual({ max: 60, source: 'brand' });
    expect(bindingLimit({ name: 'title', maxLength: 50 }, 60)).toEqual({ max: 50, source: 'field' });
    expect(bindingLimit({ name: 'title' }, 60)).toEqual({ max: 60, source: 'brand' });
  });
  it('only applies the brand’s maximum to the title', () => {
    expect(bindingLimit({ name: 'body', maxLength: 80 }, 60)).toEqual({ max: 80, source: 'field' });
    expect(bindingLimit({ name: 'body' }, 60)).toBeNull();
  });
});
