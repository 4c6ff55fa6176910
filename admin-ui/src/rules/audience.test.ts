import { describe, expect, it } from 'vitest';
import { countConditions, newAudienceCondition, newGroup } from './edit';
import { parseRule, serializeRule, type Json } from './model';
import { ruleToText, treeToText } from './text';
import { validateRule } from './validate';

describe('"is in audience NAME" conditions', () => {
  it('parse into an audience node and serialize back exactly', () => {
    const json: Json = { all: [{ audience: 'VIP' }, { attr: 'tier', op: 'gte', value: 3 }] };
    const tree = parseRule(json);
    expect(tree?.kind).toBe('all');
    expect(tree?.kind === 'all' && tree.children[0].kind).toBe('audience');
    expect(serializeRule(tree)).toEqual(json);
    expect(ruleToText(json)).toBe('in audience "VIP" and tier is at least 3');
  });

  it('keep anything else under "audience" as raw JSON', () => {
    expect(parseRule({ audience: 3 })?.kind).toBe('raw');
    expect(parseRule({ audience: 'VIP', extra: 1 })?.kind).toBe('raw');
  });

  it('ask for a choice until one is made, and count as one condition', () => {
    const tree = newGroup('all', [newAudienceCondition()]);
    expect(validateRule(tree)).toEqual([expect.objectContaining({ path: '$.all[0].audience', message: 'Choose the audience.' })]);
    expect(treeToText(tree)).toBe('in audience (none chosen)');
    expect(countConditions(newGroup('all', [newAudienceCondition('VIP')]))).toBe(1);
    expect(validateRule(newAudienceCondition('VIP'))).toEqual([]);
  });
});
