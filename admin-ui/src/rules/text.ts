/**
 * Renders a rule as one readable line, e.g.
 * `segment is one of "skier", "hiker" and age is at least 18`.
 */
import { parseRule, type ConditionNode, type Json, type RuleNode, type RuleTree, type TypedValue } from './model';
import { OP_INFO } from './ops';

function scalarText(v: TypedValue): string {
  return v.type === 'string' ? JSON.stringify(v.text) : v.text;
}

function conditionText(c: ConditionNode): string {
  const attr = c.attr || '(no attribute)';
  const label = OP_INFO[c.op].label;
  const v = c.value;
  if (v.shape === 'none') return `${attr} ${label}`;
  if (v.shape === 'single') {
    const shown = c.op === 'matches' && v.value.type === 'string' ? `/${v.value.text}/` : scalarText(v.value);
    return `${attr} ${label} ${shown}`;
  }
  if (c.op === 'between' && v.items.length === 2) {
    return `${attr} ${label} ${scalarText(v.items[0])} and ${scalarText(v.items[1])}`;
  }
  return `${attr} ${label} [${v.items.map(scalarText).join(', ')}]`;
}

function nodeText(node: RuleNode, nested: boolean): string {
  switch (node.kind) {
    case 'condition':
      return conditionText(node);
    case 'raw':
      return JSON.stringify(node.json);
    case 'audience':
      return `in audience ${node.name ? JSON.stringify(node.name) : '(none chosen)'}`;
    case 'not':
      return `not (${nodeText(node.child, false)})`;
    case 'all':
    case 'any': {
      if (node.children.length === 0) return node.kind === 'all' ? '(all of nothing)' : '(any of nothing)';
      if (node.children.length === 1) return nodeText(node.children[0], nested);
      const joined = node.children.map((c) => nodeText(c, true)).join(node.kind === 'all' ? ' and ' : ' or ');
      return nested ? `(${joined})` : joined;
    }
  }
}

/** An editable tree as one line. */
export function treeToText(tree: RuleTree): string {
  return tree === null ? 'everyone' : nodeText(tree, false);
}

/** Rule JSON (`null` = everyone) as one line. */
export function ruleToText(rule: Json | undefined): string {
  return treeToText(parseRule(rule));
}
