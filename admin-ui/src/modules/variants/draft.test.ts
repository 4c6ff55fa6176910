import { describe, expect, it } from 'vitest';
import type { VariantFullFragment } from '../../api';
import { parseRule } from '../../rules';
import { draftFromVariant, draftProblems, emptyDraft, isDirty, sameJson, toCreateInput, toPatch } from './draft';

const variant: VariantFullFragment = {
  id: 'v1', name: 'Skiers', status: 'DRAFT', live: false, onAir: { live: false, reason: 'not published' }, ruleText: 'segment is "skier"', devices: ['MOBILE'], locale: 'en',
  priority: 2, startsAt: null, endsAt: '2026-02-01T00:00:00Z', version: 3, tags: ['winter'], quality: { score: 0.9, checks: [] },
  fields: { title: 'Hi', count: 3 }, rule: { attr: 'segment', op: 'eq', value: 'skier' }, revision: 'r3', publishedRevision: null,
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z', brandReview: null, revisions: [],
};

describe('variant draft', () => {
  it('is clean right after loading, whatever the key order', () => {
    const d = draftFromVariant({ ...variant, fields: { count: 3, title: 'Hi' } });
    expect(toPatch(variant, d)).toEqual({});
    expect(isDirty(variant, d)).toBe(false);
  });

  it('patches only what changed', () => {
    const d = { ...draftFromVariant(variant), priority: '5', fields: { title: 'Hello', count: 3 } };
    expect(toPatch(variant, d)).toEqual({ priority: 5, fields: { title: 'Hello', count: 3 } });
  });

  it('sends an explicit null to clear the rule, locale or schedule', () => {
    const d = { ...draftFromVariant(variant), rule: null, locale: null, endsAt: null };
    expect(toPatch(variant, d)).toEqual({ rule: null, locale: null, endsAt: null });
  });

  it('keeps a rule edit typed', () => {
    const d = { ...draftFromVariant(variant), rule: parseRule({ attr: 'age', op: 'in', value: [18, '18'] }) };
    expect(toPatch(variant, d).rule).toEqual({ attr: 'age', op: 'in', value: [18, '18'] });
  });

  it('does not treat the same instant in another notation as a change', () => {
    const d = { ...draftFromVariant(variant), endsAt: '2026-02-01T01:00:00+01:00' };
    expect(toPatch(variant, d)).toEqual({});
  });

  it('builds a create input with numbers as numbers', () => {
    const input = toCreateInput('e1', { ...emptyDraft(), name: ' New ', priority: '10' });
    expect(input).toMatchObject({ entryId: 'e1', name: 'New', priority: 10, rule: null, devices: [] });
  });

  it('names the problems that block saving', () => {
    const problems = draftProblems({ ...emptyDraft(), priority: '1.5', startsAt: '2026-02-01T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' });
    expect(problems.map((p) => p.field)).toEqual(['name', 'priority', 'schedule']);
  });

  it('compares JSON regardless of key order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
  });
});
