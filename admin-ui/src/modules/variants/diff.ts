/**
 * Revision diffs as the editor shows them: which two revisions to compare by
 * default, and each changed value in words (null or absent is "(none)"; text
 * as it is; anything else as JSON). Long values are shown side by side.
 */

import { ruleToText, type Json } from '../../rules';
import { formatDateTime } from '../../ui/format';

export interface FieldChangeLike {
  path: string;
  old?: unknown;
  new?: unknown;
}

export const NONE = '(none)';

/** Revisions come newest first: the default pair is `selected` vs the one just before it. */
export function defaultPair(revisions: { hash: string }[], selected?: string): { from: string; to: string } | null {
  const i = selected ? revisions.findIndex((r) => r.hash === selected) : 0;
  if (i < 0 || i + 1 >= revisions.length) return null;
  return { from: revisions[i + 1].hash, to: revisions[i].hash };
}

export type CompareWith = 'live' | 'previous';

/**
 * What to compare `selected` with: by default what is live (the served revision), so a reviewer
 * sees what publishing would change; the previous revision when nothing else is live, or when asked.
 */
export function pairFor(
  revisions: { hash: string }[], selected: string, published: string | null | undefined, against: CompareWith = 'live',
): { from: string; to: string } | null {
  if (against === 'live' && published && published !== selected && revisions.some((r) => r.hash === published)) {
    return { from: published, to: selected };
  }
  return defaultPair(revisions, selected);
}

/** Rule changes come from the server as JSON paths (`rule.all[0].value`): one row with both rules rendered instead. */
export function withRuleAsText(changes: FieldChangeLike[], before: Json | undefined, after: Json | undefined): FieldChangeLike[] {
  const isRule = (p: string) => p === 'rule' || p.startsWith('rule.') || p.startsWith('rule[');
  if (!changes.some((c) => isRule(c.path))) return changes;
  const rest = changes.filter((c) => !isRule(c.path));
  return [...rest, { path: 'rule', old: ruleToText(before ?? null), new: ruleToText(after ?? null) }];
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A value in words: null/undefined → "(none)", instants as local readable dates, text as is, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return NONE;
  if (typeof v === 'string' && INSTANT.test(v)) return formatDateTime(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const flat = JSON.stringify(v);
  return flat.length <= 60 ? flat : JSON.stringify(v, null, 2);
}

/** Longer than a short line, or on several lines: shown side by side rather than old → new. */
export function isLong(change: FieldChangeLike, limit = 60): boolean {
  return [change.old, change.new].some((v) => {
    const s = formatValue(v);
    return s.length > limit || s.includes('\n');
  });
}

export type ChangeKind = 'added' | 'removed' | 'changed';

export function changeKind(change: FieldChangeLike): ChangeKind {
  const had = change.old !== null && change.old !== undefined;
  const has = change.new !== null && change.new !== undefined;
  if (!had && has) return 'added';
  if (had && !has) return 'removed';
  return 'changed';
}

/** `fields.title` → `title (field)`, `rule` → `audience rule`; other paths as they are. */
export function describePath(path: string): string {
  if (path.startsWith('fields.')) return `${path.slice('fields.'.length)} (field)`;
  const named: Record<string, string> = {
    rule: 'audience rule',
    tags: 'tags',
    priority: 'priority',
    name: 'name',
    devices: 'devices',
    locale: 'locale',
    startsAt: 'starts at',
    endsAt: 'ends at',
    fields: 'all fields',
  };
  return named[path] ?? path;
}

/** One line for screen readers and plain text: `fields.title: "Old" → "New"`. */
export function changeToText(change: FieldChangeLike): string {
  const show = (v: unknown) => (typeof v === 'string' ? `“${v}”` : formatValue(v));
  return `${change.path}: ${show(change.old)} → ${show(change.new)}`;
}
