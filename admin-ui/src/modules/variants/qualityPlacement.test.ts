import { describe, expect, it } from 'vitest';
import { checkKindLabel, placeChecks, type CheckLike } from './qualityPlacement';

const check = (kind: string, severity: CheckLike['severity'], path: string | null): CheckLike => ({ kind, severity, message: kind, path });

describe('placeChecks', () => {
  it('puts rule conflicts by the rule builder', () => {
    const placed = placeChecks([check('shadowed', 'WARNING', 'rule'), check('tie', 'WARNING', 'rule')]);
    expect(placed.rule.map((c) => c.kind)).toEqual(['shadowed', 'tie']);
    expect(placed.other).toEqual([]);
  });

  it('puts content-wide checks above the fields and field checks under their field', () => {
    const placed = placeChecks([
      check('readability', 'INFO', 'fields'),
      check('banned_term', 'ERROR', 'fields.title'),
      check('title_length', 'ERROR', 'fields.title'),
      check('banned_term', 'ERROR', 'fields.body'),
    ]);
    expect(placed.fields.map((c) => c.kind)).toEqual(['readability']);
    expect(Object.keys(placed.byField).sort()).toEqual(['body', 'title']);
    expect(placed.byField.title).toHaveLength(2);
  });

  it('keeps pathless checks for the quality panel only', () => {
    const placed = placeChecks([check('disclaimer', 'ERROR', null), check('mystery', 'INFO', 'elsewhere')]);
    expect(placed.other).toHaveLength(2);
  });

  it('lists errors before warnings before notes', () => {
    const placed = placeChecks([check('a', 'INFO', 'fields'), check('b', 'ERROR', 'fields'), check('c', 'WARNING', 'fields')]);
    expect(placed.fields.map((c) => c.kind)).toEqual(['b', 'c', 'a']);
  });
});

describe('checkKindLabel', () => {
  it('names known kinds and keeps unknown ones readable', () => {
    expect(checkKindLabel('shadowed')).toBe('Never shown');
    expect(checkKindLabel('new_kind')).toBe('new kind');
  });
});
