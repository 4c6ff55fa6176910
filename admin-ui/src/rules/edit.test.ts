import { describe, expect, it } from 'vitest';
import { addChild, changeOp, countConditions, newCondition, removeNode, unwrapNot, updateNode, wrapInGroup, wrapInNot } from './edit';
import { parseRule, serializeRule, type ConditionNode } from './model';
import { validateRule } from './validate';

describe('rule edits', () => {
  it('reshapes the value when the operator changes', () => {
    const c: ConditionNode = { ...newCondition('age', 'eq'), value: { shape: 'single', value: { type: 'number', text: '18' } } };
    const inList = changeOp(c, 'in');
    expect(inList.value).toEqual({ shape: 'list', items: [{ type: 'number', text: '18' }] });
    const between = changeOp(c, 'between');
    expect(between.value).toEqual({ shape: 'list', items: [{ type: 'number', text: '18' }, { type: 'number', text: '' }] });
    expect(changeOp(c, 'exists').value).toEqual({ shape: 'none' });
    expect(changeOp(changeOp(c, 'exists'), 'eq').value.shape).toBe('single');
  });

  it('adds, removes and wraps nodes without touching the input', () => {
    const tree = parseRule({ all: [{ attr: 'a', op: 'exists' }] });
    if (tree?.kind !== 'all') throw new Error('group expected');
    const added = addChild(tree, tree.id, newCondition('b', 'exists'));
    expect(serializeRule(added)).toEqual({ all: [{ attr: 'a', op: 'exists' }, { attr: 'b', op: 'exists' }] });
    expect(serializeRule(tree)).toEqual({ all: [{ attr: 'a', op: 'exists' }] });

    const first = tree.children[0];
    const negated = wrapInNot(tree, first.id);
    expect(serializeRule(negated)).toEqual({ all: [{ not: { attr: 'a', op: 'exists' } }] });
    if (negated?.kind !== 'all') throw new Error('group expected');
    expect(serializeRule(unwrapNot(negated, negated.children[0].id))).toEqual({ all: [{ attr: 'a', op: 'exists' }] });

    expect(serializeRule(removeNode(tree, first.id))).toEqual({ all: [] });
    expect(removeNode(tree, tree.id)).toBeNull();
  });

  it('removes a not together with its only child', () => {
    const tree = parseRule({ all: [{ not: { attr: 'a', op: 'exists' } }] });
    if (tree?.kind !== 'all' || tree.children[0].kind !== 'not') throw new Error('shape');
    const inner = tree.children[0].child;
    expect(serializeRule(removeNode(tree, inner.id))).toEqual({ all: [] });
  });

  it('wraps a condition into a new group with a fresh condition', () => {
    const tree = parseRule({ attr: 'a', op: 'exists' });
    const grouped = wrapInGroup(tree, tree!.id, 'any');
    expect(grouped?.kind).toBe('any');
    const edited = updateNode(grouped, (grouped as { children: ConditionNode[] }).children[1].id, (n) => ({ ...n, attr: 'b' } as ConditionNode));
    expect(serializeRule(edited)).toEqual({ any: [{ attr: 'a', op: 'exists' }, { attr: 'b', op: 'eq', value: '' }] });
  });

  it('counts leaf conditions only', () => {
    expect(countConditions(parseRule({ all: [{ attr: 'a', op: 'exists' }, { not: { any: [{ attr: 'b', op: 'exists' }, { attr: 'c', op: 'exists' }] } }] }))).toBe(3);
    expect(countConditions(null)).toBe(0);
  });
});

describe('validateRule', () => {
  it('accepts a well-formed rule and null', () => {
    expect(validateRule(null)).toEqual([]);
    expect(validateRule(parseRule({ all: [{ attr: 'age', op: 'between', value: [18, 34] }, { attr: 'at', op: 'before', value: '2026-01-01T00:00:00Z' }] }))).toEqual([]);
  });

  it('points at faults with JSON paths', () => {
    const tree = parseRule({
      all: [
        { attr: '', op: 'exists' },
        { attr: 'seg', op: 'in', value: [] },
        { attr: 'age', op: 'between', value: [1] },
        { attr: 'x', op: 'matches', value: '(' },
        { attr: 'when', op: 'after', value: 'yesterday' },
      ],
    });
    const paths = validateRule(tree).map((i) => i.path);
    expect(paths).toEqual(['$.all[0].attr', '$.all[1].value', '$.all[2].value', '$.all[3].value', '$.all[4].value']);
  });

  it('flags a number that is not a number', () => {
    const tree = parseRule({ attr: 'age', op: 'gt', value: 1 });
    const bad = updateNode(tree, tree!.id, (n) => ({ ...(n as ConditionNode), value: { shape: 'single', value: { type: 'number', text: 'abc' } } }));
    expect(validateRule(bad).map((i) => i.path)).toEqual(['$.value']);
  });

  it('refuses nesting deeper than 32', () => {
    let rule: unknown = { attr: 'a', op: 'exists' };
    for (let i = 0; i < 32; i++) rule = { not: rule };
    expect(validateRule(parseRule(rule as never)).length).toBe(1);
  });
});
