import { describe, expect, it } from 'vitest';
import { changeKind, changeToText, defaultPair, describePath, formatValue, isLong, NONE, pairFor, withRuleAsText } from './diff';

const revs = [{ hash: 'c3' }, { hash: 'b2' }, { hash: 'a1' }];

describe('defaultPair', () => {
  it('compares the newest revision with the one before it', () => {
    expect(defaultPair(revs)).toEqual({ from: 'b2', to: 'c3' });
  });

  it('compares a selected revision with its predecessor', () => {
    expect(defaultPair(revs, 'b2')).toEqual({ from: 'a1', to: 'b2' });
  });

  it('has nothing to compare for the first revision, an unknown one, or a single one', () => {
    expect(defaultPair(revs, 'a1')).toBeNull();
    expect(defaultPair(revs, 'zz')).toBeNull();
    expect(defaultPair([{ hash: 'a1' }])).toBeNull();
  });
});

describe('formatValue', () => {
  it('shows null and absent as (none)', () => {
    expect(formatValue(null)).toBe(NONE);
    expect(formatValue(undefined)).toBe(NONE);
  });

  it('shows text as it is and other values as JSON', () => {
    expect(formatValue('Fresh powder')).toBe('Fresh powder');
    expect(formatValue('')).toBe('');
    expect(formatValue(10)).toBe('10');
    expect(formatValue(false)).toBe('false');
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
  });

  it('indents long JSON', () => {
    const rule = { all: [{ attr: 'segment', op: 'in', value: ['skier', 'snowboarder', 'freerider'] }] };
    expect(formatValue(rule)).toContain('\n');
  });
});

describe('isLong and changeKind', () => {
  it('puts long or multi-line text side by side', () => {
    expect(isLong({ path: 'fields.title', old: 'Old', new: 'New' })).toBe(false);
    expect(isLong({ path: 'fields.body', old: 'x'.repeat(61), new: null })).toBe(true);
    expect(isLong({ path: 'fields.body', old: 'a\nb', new: 'a' })).toBe(true);
  });

  it('tells added, removed and changed apart', () => {
    expect(changeKind({ path: 'fields.cta', old: null, new: 'Go' })).toBe('added');
    expect(changeKind({ path: 'fields.cta', old: 'Go', new: null })).toBe('removed');
    expect(changeKind({ path: 'fields.cta', old: 'Go', new: 'Run' })).toBe('changed');
  });
});

describe('describePath and changeToText', () => {
  it('names paths in words', () => {
    expect(describePath('fields.title')).toBe('title (field)');
    expect(describePath('rule')).toBe('audience rule');
    expect(describePath('something.else')).toBe('something.else');
  });

  it('writes a change as one line', () => {
    expect(changeToText({ path: 'fields.title', old: 'Gear up', new: 'Gear up now' })).toBe('fields.title: “Gear up” → “Gear up now”');
    expect(changeToText({ path: 'locale', old: null, new: 'de' })).toBe('locale: (none) → “de”');
  });
});

describe('comparing with what is live', () => {
  it('defaults to the served revision, and to the previous one when asked or when nothing else is live', () => {
    expect(pairFor(revs, 'c3', 'a1')).toEqual({ from: 'a1', to: 'c3' });
    expect(pairFor(revs, 'c3', 'a1', 'previous')).toEqual({ from: 'b2', to: 'c3' });
    expect(pairFor(revs, 'c3', 'c3')).toEqual({ from: 'b2', to: 'c3' });
    expect(pairFor(revs, 'c3', null)).toEqual({ from: 'b2', to: 'c3' });
  });
});

describe('rules and dates in words', () => {
  it('folds rule paths into one row of rendered rules', () => {
    const out = withRuleAsText(
      [{ path: 'fields.title', old: 'a', new: 'b' }, { path: 'rule.attr', old: 'segment', new: null }, { path: 'rule.value', old: 'x', new: null }],
      { attr: 'segment', op: 'eq', value: 'skier' }, null,
    );
    expect(out).toHaveLength(2);
    expect(out[1].path).toBe('rule');
    expect(out[1].old).toContain('segment');
    expect(out[1].old).not.toContain('rule.');
    expect(out[1].new).toBe('everyone');
  });
  it('shows instants as local dates without microseconds', () => {
    const text = formatValue('2026-12-07T09:30:00.123456Z');
    expect(text).not.toContain('T09');
    expect(text).not.toContain('123456');
    expect(text).toMatch(/2026/);
  });
});
