import { describe, expect, it } from 'vitest';
import type { Json } from './model';
import { ruleToText } from './text';

describe('ruleToText', () => {
  it('says everyone for no rule', () => {
    expect(ruleToText(null)).toBe('everyone');
  });

  it('writes strings quoted and numbers and booleans bare', () => {
    expect(ruleToText({ attr: 'age', op: 'eq', value: '34' })).toBe('age is "34"');
    expect(ruleToText({ attr: 'age', op: 'gte', value: 34 })).toBe('age is at least 34');
    expect(ruleToText({ attr: 'vip', op: 'eq', value: true })).toBe('vip is true');
  });

  it('writes lists, ranges, patterns and presence', () => {
    expect(ruleToText({ attr: 'segment', op: 'in', value: ['skier', 'hiker'] })).toBe('segment is one of ["skier", "hiker"]');
    expect(ruleToText({ attr: 'age', op: 'between', value: [18, 34] })).toBe('age is between 18 and 34');
    expect(ruleToText({ attr: 'email', op: 'matches', value: '@acme\\.com$' })).toBe('email matches pattern /@acme\\.com$/');
    expect(ruleToText({ attr: 'vip', op: 'not_exists' })).toBe('vip is not set');
  });

  it('joins groups with and / or, parenthesising nested ones', () => {
    const rule: Json = {
      all: [
        { attr: 'a', op: 'eq', value: 1 },
        { any: [{ attr: 'b', op: 'exists' }, { not: { attr: 'c', op: 'eq', value: 'x' } }] },
      ],
    };
    expect(ruleToText(rule)).toBe('a is 1 and (b is set or not (c is "x"))');
  });

  it('shows a single-child group as its child', () => {
    expect(ruleToText({ any: [{ attr: 'a', op: 'exists' }] })).toBe('a is set');
  });

  it('shows raw JSON as JSON', () => {
    expect(ruleToText({ attr: 'a', op: 'weird', value: 1 })).toBe('{"attr":"a","op":"weird","value":1}');
  });
});
