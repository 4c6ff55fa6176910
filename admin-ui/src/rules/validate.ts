/**
 * Checks a rule tree before it is sent, so the editor can point at the fault.
 * The server stays the judge (it answers BAD_INPUT with a JSON path); these
 * checks only catch what is certainly wrong, with the same kind of path.
 */
import type { ConditionNode, RuleNode, RuleTree, TypedValue } from './model';
import { OP_INFO } from './ops';

export interface RuleIssue {
  /** Id of the node at fault, for the builder to highlight. */
  nodeId: string;
  /** JSON path in the serialized rule, e.g. `$.all[1].value`. */
  path: string;
  message: string;
}

export const MAX_DEPTH = 32;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function numberOk(v: TypedValue): boolean {
  return v.type !== 'number' || (v.text.trim() !== '' && Number.isFinite(Number(v.text.trim())));
}

function checkCondition(c: ConditionNode, path: string, out: RuleIssue[]): void {
  const issue = (message: string, at = path) => out.push({ nodeId: c.id, path: at, message });
  if (c.attr.trim() === '') issue('Name the attribute.', `${path}.attr`);
  const want = OP_INFO[c.op].shape;
  const v = c.value;
  const vpath = `${path}.value`;
  if (want === 'none' && v.shape !== 'none') issue(`"${OP_INFO[c.op].label}" takes no value.`, vpath);
  if (want === 'single' && v.shape !== 'single') issue('Give exactly one value.', vpath);
  if (want === 'list' && (v.shape !== 'list' || v.items.length === 0)) issue('Give at least one value.', vpath);
  if (want === 'pair' && (v.shape !== 'list' || v.items.length !== 2)) issue('Give a lower and an upper value.', vpath);
  const values = v.shape === 'list' ? v.items : v.shape === 'single' ? [v.value] : [];
  values.forEach((tv, i) => {
    const at = v.shape === 'list' ? `${vpath}[${i}]` : vpath;
    if (!numberOk(tv)) issue(`"${tv.text}" is not a number.`, at);
  });
  if (v.shape === 'single' && c.op === 'matches') {
    if (v.value.type !== 'string') issue('A pattern is text.', vpath);
    else {
      try {
        new RegExp(v.value.text);
      } catch {
        issue('This pattern is not a valid regular expression.', vpath);
      }
    }
  }
  if (v.shape === 'single' && (c.op === 'before' || c.op === 'after')) {
    if (v.value.type !== 'string' || !RFC3339.test(v.value.text)) {
      issue('Give an instant like 2026-01-31T09:00:00Z.', vpath);
    }
  }
}

function walk(node: RuleNode, path: string, depth: number, out: RuleIssue[]): void {
  if (depth > MAX_DEPTH) {
    out.push({ nodeId: node.id, path, message: `Rules may nest at most ${MAX_DEPTH} levels.` });
    return;
  }
  switch (node.kind) {
    case 'condition':
      return checkCondition(node, path, out);
    case 'raw':
      return;
    case 'audience':
      if (node.name.trim() === '') out.push({ nodeId: node.id, path: `${path}.audience`, message: 'Choose the audience.' });
      return;
    case 'not':
      return walk(node.child, `${path}.not`, depth + 1, out);
    case 'all':
    case 'any':
      node.children.forEach((c, i) => walk(c, `${path}.${node.kind}[${i}]`, depth + 1, out));
  }
}

/** Every node of the tree with its JSON path in the serialized rule (`$`, `$.all[1]`, `$.all[1].not`). */
export function nodePaths(tree: RuleTree): { nodeId: string; path: string }[] {
  const out: { nodeId: string; path: string }[] = [];
  const visit = (node: RuleNode, path: string) => {
    out.push({ nodeId: node.id, path });
    if (node.kind === 'not') visit(node.child, `${path}.not`);
    if (node.kind === 'all' || node.kind === 'any') node.children.forEach((c, i) => visit(c, `${path}.${node.kind}[${i}]`));
  };
  if (tree !== null) visit(tree, '$');
  return out;
}

export function validateRule(tree: RuleTree): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (tree !== null) walk(tree, '$', 1, out);
  return out;
}
