import { describe, expect, it } from 'vitest';
import { changeOp, parseRule, serverRuleIssue, type Json, type RuleNode } from './index';

const rule = { all: [{ attr: 'a', op: 'eq', value: 1 }, { attr: 'b', op: 'eq', value: 2 }, { attr: 'age', op: 'gt', value: 'x' }] } as Json;

describe('server rule faults on their row, in words', () => {
  it('finds the row the path names and says it without the path', () => {
    const tree = parseRule(rule);
    const issue = serverRuleIssue(tree, 'rule: gt takes a number at $.all[2].value');
    const third = (tree as unknown as { children: RuleNode[] }).children[2];
    expect(issue?.nodeId).toBe(third.id);
    expect(issue?.message).toBe('“is greater than” needs a number: choose or type one.');
    expect(issue?.message).not.toContain('$');
  });
  it('takes the path from extensions too, and gives up on paths outside the tree', () => {
    const tree = parseRule(rule);
    expect(serverRuleIssue(tree, 'bad regular expression: unclosed group', '$.all[0].value')?.message).toBe('The pattern is not valid: unclosed group.');
    expect(serverRuleIssue(null, 'rule: x at $.all[0]')).toBeNull();
  });
});

describe('changing the operator carries the value into the operator’s type', () => {
  const cond = (value: Json, op = 'eq') => parseRule({ attr: 'a', op, value } as Json) as Extract<RuleNode, { kind: 'condition' }>;
  it('number → matches pattern becomes text', () => {
    const next = changeOp(cond(34), 'matches');
    expect(next.value).toEqual({ shape: 'single', value: { type: 'string', text: '34' } });
  });
  it('text that reads as a number → greater than becomes that number; other text is cleared', () => {
    expect(changeOp(cond('34'), 'gt').value).toEqual({ shape: 'single', value: { type: 'number', text: '34' } });
    expect(changeOp(cond('skier'), 'gt').value).toEqual({ shape: 'single', value: { type: 'number', text: '' } });
  });
  it('yes/no → starts with is cleared; eq keeps any type', () => {
    expect(changeOp(cond(true), 'starts_with').value).toEqual({ shape: 'single', value: { type: 'string', text: '' } });
    expect(changeOp(cond(true, 'ne'), 'eq').value).toEqual({ shape: 'single', value: { type: 'boolean', text: 'true' } });
  });
  it('lists are carried item by item', () => {
    expect(changeOp(cond([1, 'x'], 'in'), 'between').value).toEqual({ shape: 'list', items: [{ type: 'number', text: '1' }, { type: 'number', text: '' }] });
  });
});
