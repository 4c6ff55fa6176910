/**
 * Pure edits on a rule tree, used by the visual builder. Every function
 * returns a new tree and leaves its input untouched.
 */
import { newId, type ConditionNode, type ConditionValue, type RuleNode, type RuleTree, type TypedValue } from './model';
import { OP_INFO, typesForOp, type Op } from './ops';

export function newCondition(attr = '', op: Op = 'eq'): ConditionNode {
  return { id: newId(), kind: 'condition', attr, op, value: valueForOp({ shape: 'none' }, op) };
}

/** A condition on a named audience of the brand. */
export function newAudienceCondition(name = ''): RuleNode {
  return { id: newId(), kind: 'audience', name };
}

export function newGroup(kind: 'all' | 'any', children: RuleNode[] = [newCondition()]): RuleNode {
  return { id: newId(), kind, children };
}

function emptyLike(v: TypedValue | undefined): TypedValue {
  return { type: v?.type ?? 'string', text: v?.type === 'boolean' ? 'true' : '' };
}

/**
 * One value carried over into a type the operator takes: kept when its type fits; a number's
 * text becomes text; text that reads as a number becomes that number; anything else is cleared.
 */
export function carryValue(v: TypedValue, op: Op): TypedValue {
  const types = typesForOp(op);
  if (types.includes(v.type)) return v;
  const target = types[0];
  if (target === 'number') {
    const n = v.type === 'string' && v.text.trim() !== '' ? Number(v.text.trim()) : Number.NaN;
    return { type: 'number', text: Number.isFinite(n) ? v.text.trim() : '' };
  }
  return { type: target, text: v.type === 'number' ? v.text : '' };
}

/** Reshapes a condition's value to what `op` takes, keeping what it can in a type `op` accepts. */
export function valueForOp(value: ConditionValue, op: Op): ConditionValue {
  const items = (value.shape === 'list' ? value.items : value.shape === 'single' ? [value.value] : []).map((v) => carryValue(v, op));
  const blank = (): TypedValue => carryValue(emptyLike(undefined), op);
  switch (OP_INFO[op].shape) {
    case 'none':
      return { shape: 'none' };
    case 'single':
      return { shape: 'single', value: items[0] ?? blank() };
    case 'list':
      return { shape: 'list', items: items.length ? items : [blank()] };
    case 'pair': {
      const first = items[0] ?? { type: 'number', text: '' };
      return { shape: 'list', items: [first, items[1] ?? carryValue(emptyLike(first), op)] };
    }
  }
}

export function changeOp(node: ConditionNode, op: Op): ConditionNode {
  return { ...node, op, value: valueForOp(node.value, op) };
}

function mapTree(node: RuleNode, id: string, fn: (n: RuleNode) => RuleNode | null): RuleNode | null {
  if (node.id === id) return fn(node);
  if (node.kind === 'all' || node.kind === 'any') {
    const children: RuleNode[] = [];
    let changed = false;
    for (const child of node.children) {
      const next = mapTree(child, id, fn);
      if (next !== child) changed = true;
      if (next) children.push(next);
    }
    return changed ? { ...node, children } : node;
  }
  if (node.kind === 'not') {
    const child = mapTree(node.child, id, fn);
    if (child === node.child) return node;
    // A `not` without its child means nothing: it goes with it.
    return child ? { ...node, child } : null;
  }
  return node;
}

/** Replaces the node with `id` by `fn(node)`; `null` removes it. */
export function updateNode(tree: RuleTree, id: string, fn: (n: RuleNode) => RuleNode | null): RuleTree {
  return tree === null ? null : mapTree(tree, id, fn);
}

export function removeNode(tree: RuleTree, id: string): RuleTree {
  return updateNode(tree, id, () => null);
}

export function addChild(tree: RuleTree, groupId: string, child: RuleNode): RuleTree {
  return updateNode(tree, groupId, (n) =>
    n.kind === 'all' || n.kind === 'any' ? { ...n, children: [...n.children, child] } : n,
  );
}

export function wrapInNot(tree: RuleTree, id: string): RuleTree {
  return updateNode(tree, id, (n) => ({ id: newId(), kind: 'not', child: n }));
}

export function unwrapNot(tree: RuleTree, id: string): RuleTree {
  return updateNode(tree, id, (n) => (n.kind === 'not' ? n.child : n));
}

/** Wraps the node in a new group together with a fresh condition. */
export function wrapInGroup(tree: RuleTree, id: string, kind: 'all' | 'any'): RuleTree {
  return updateNode(tree, id, (n) => newGroup(kind, [n, newCondition()]));
}

/** Number of leaf conditions: the specificity the server ranks by. */
export function countConditions(tree: RuleTree): number {
  if (tree === null) return 0;
  switch (tree.kind) {
    case 'condition':
    case 'audience':
      return 1;
    case 'raw':
      return 0;
    case 'not':
      return countConditions(tree.child);
    default:
      return tree.children.reduce((sum, c) => sum + countConditions(c), 0);
  }
}
