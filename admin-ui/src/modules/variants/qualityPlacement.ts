/**
 * Where a quality check belongs in the editor, by its path: `rule` beside the
 * rule builder, `fields` above the content fields, `fields.NAME` under that
 * field; anything else (or no path) only in the quality panel.
 */

export interface CheckLike {
  kind: string;
  severity: 'INFO' | 'WARNING' | 'ERROR';
  message: string;
  path?: string | null;
}

export interface PlacedChecks<C extends CheckLike = CheckLike> {
  rule: C[];
  /** About the content as a whole (path `fields`, e.g. readability). */
  fields: C[];
  /** By field name (path `fields.NAME`). */
  byField: Record<string, C[]>;
  /** No place in the form: the quality panel shows them. */
  other: C[];
}

const ORDER = { ERROR: 0, WARNING: 1, INFO: 2 } as const;

export function placeChecks<C extends CheckLike>(checks: C[]): PlacedChecks<C> {
  const out: PlacedChecks<C> = { rule: [], fields: [], byField: {}, other: [] };
  const sorted = [...checks].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  for (const c of sorted) {
    const path = c.path ?? '';
    if (path === 'rule' || path.startsWith('rule.') || path.startsWith('rule[')) out.rule.push(c);
    else if (path === 'fields') out.fields.push(c);
    else if (path.startsWith('fields.')) {
      const name = path.slice('fields.'.length).split(/[.[]/)[0];
      (out.byField[name] ??= []).push(c);
    } else out.other.push(c);
  }
  return out;
}

const KIND_LABEL: Record<string, string> = {
  banned_term: 'Banned term',
  disclaimer: 'Disclaimer',
  title_length: 'Title length',
  readability: 'Readability',
  shadowed: 'Never shown',
  tie: 'Tie',
  asset_alt: 'Alt text',
};

/** A short heading for a check's kind (unknown kinds as they are). */
export function checkKindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind.replace(/_/g, ' ');
}
