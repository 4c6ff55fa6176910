import { describe, expect, it } from 'vitest';
import { parseRule, serializeRule, type Json } from './model';
import { OPS } from './ops';

const roundTrip = (json: Json) => serializeRule(parseRule(json));

describe('parseRule / serializeRule', () => {
  it('keeps a null rule as null (everyone)', () => {
    expect(parseRule(null)).toBeNull();
    expect(parseRule(undefined)).toBeNull();
    expect(roundTrip(null)).toBeNull();
  });

  const sample: Record<string, Json> = {
    eq: 'skier', ne: 'hiker', in: ['a', 'b'], not_in: [1, 2], contains: 'ski', not_contains: 'x',
    starts_with: 'sk', ends_with: 'er', matches: '^sk(i|a)+$', gt: 3, gte: 3.5, lt: -1, lte: 0,
    between: [18, 34], before: '2026-01-01T00:00:00Z', after: '2025-12-31T23:59:59+01:00',
  };

  for (const op of OPS) {
    it(`round-trips the ${op} operator`, () => {
      const rule: Json = op === 'exists' || op === 'not_exists'
        ? { attr: 'segment', op }
        : { attr: 'segment', op, value: sample[op] };
      const tree = parseRule(rule);
      expect(tree?.kind).toBe('condition');
      expect(roundTrip(rule)).toEqual(rule);
    });
  }

  it('keeps exists without a value key at all', () => {
    const out = roundTrip({ attr: 'vip', op: 'exists' }) as Record<string, Json>;
    expect('value' in out).toBe(false);
  });

  it('keeps numbers, strings and booleans apart', () => {
    for (const value of [34, '34', 3.25, true, false, 'true', '', 0, -0.5, 1e21]) {
      const rule = { attr: 'age', op: 'eq', value };
      const out = roundTrip(rule) as { value: Json };
      expect(out.value).toStrictEqual(value);
      expect(typeof out.value).toBe(typeof value);
    }
  });

  it('keeps typed arrays for in and between, including mixed types and empty lists', () => {
    for (const value of [[1, '1', true], [], ['x'], [0.5, 2]]) {
      expect(roundTrip({ attr: 'a', op: 'in', value })).toStrictEqual({ attr: 'a', op: 'in', value });
    }
    expect(roundTrip({ attr: 'age', op: 'between', value: ['a', 'm'] })).toStrictEqual({ attr: 'age', op: 'between', value: ['a', 'm'] });
  });

  it('round-trips nested all / any / not groups', () => {
    const rule: Json = {
      all: [
        { attr: 'segment', op: 'in', value: ['skier', 'hiker'] },
        { any: [{ attr: 'age', op: 'between', value: [18, 34] }, { not: { attr: 'vip', op: 'exists' } }] },
        { not: { any: [{ attr: 'country', op: 'eq', value: 'FR' }, { all: [] }] } },
      ],
    };
    const tree = parseRule(rule);
    expect(tree?.kind).toBe('all');
    expect(roundTrip(rule)).toStrictEqual(rule);
  });

  it('keeps what it cannot edit visually as raw JSON, unchanged', () => {
    const odd: Json[] = [
      { attr: 'a', op: 'unknown_op', value: 1 },
      { attr: 'a', op: 'eq', value: { nested: true } },
      { attr: 'a', op: 'eq', value: null },
      { attr: 'a', op: 'eq', value: 1, extra: 'x' },
      { all: 'not-a-list' },
      { all: [], any: [] },
      42,
      'text',
      [1, 2],
      { all: [{ attr: 'a', op: 'in', value: [[1]] }] },
    ];
    for (const rule of odd) expect(roundTrip(rule)).toStrictEqual(rule);
    expect(parseRule({ attr: 'a', op: 'nope' })?.kind).toBe('raw');
  });

  it('gives every node its own id', () => {
    const tree = parseRule({ all: [{ attr: 'a', op: 'exists' }, { attr: 'b', op: 'exists' }] });
    if (tree?.kind !== 'all') throw new Error('expected a group');
    expect(new Set([tree.id, ...tree.children.map((c) => c.id)]).size).toBe(3);
  });
});
