/**
 * A rule fault the server found (`BAD_INPUT`, "rule: gt takes a number at $.all[2].value"),
 * put on the row it concerns and said in the builder's words, not as a JSON path.
 */
import { OP_INFO, OPS } from './ops';
import type { RuleTree } from './model';
import { nodePaths, type RuleIssue } from './validate';

/** The message and the JSON path out of the server's "rule: MESSAGE at PATH". */
export function splitRuleMessage(message: string, path?: unknown): { text: string; path: string | null } {
  const m = /^(?:malformed )?rule:?\s*(.*?)(?:\s+at\s+(\$[^\s]*))?$/s.exec(message.trim());
  const text = (m?.[1] ?? message).trim();
  const at = typeof path === 'string' && path.startsWith('$') ? path : m?.[2] ?? null;
  return { text, path: at };
}

/** The server's wording with operator names as the builder shows them, as a sentence. */
export function ruleMessageInWords(text: string): string {
  let out = text;
  for (const op of OPS) {
    out = out.replace(new RegExp(`^${op}\\b(?= (takes|needs))`), `“${OP_INFO[op].label}”`);
  }
  out = out.replace(/\btakes a number\b/, 'needs a number: choose or type one')
    .replace(/\btakes a string\b/, 'needs text')
    .replace(/\btakes a non-empty array\b/, 'needs at least one value')
    .replace(/\bbad regular expression: /, 'the pattern is not valid: ')
    .replace(/\bunknown op(erator)?\b/, 'uses an operator Vary does not know');
  out = out.charAt(0).toUpperCase() + out.slice(1);
  return /[.!?]$/.test(out) ? out : `${out}.`;
}

/** The server's rule fault as an issue on the deepest node its path names; null when no node matches. */
export function serverRuleIssue(tree: RuleTree, message: string, path?: unknown): RuleIssue | null {
  const split = splitRuleMessage(message, path);
  if (!split.path) return null;
  const at = split.path;
  const owner = nodePaths(tree)
    .filter((n) => at === n.path || at.startsWith(`${n.path}.`) || at.startsWith(`${n.path}[`))
    .sort((a, b) => b.path.length - a.path.length)[0];
  return owner ? { nodeId: owner.nodeId, path: at, message: ruleMessageInWords(split.text) } : null;
}
