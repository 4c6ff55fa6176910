/**
 * Revision diffs as the editor shows them: which two revisions to compare by
 * default, and each changed value in words (null or absent is "(none)"; text
 * as it is; anything else as JSON). Long values are shown side by side.
 */

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

/** A value in words: null/undefined → "(none)", text as is, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return NONE;
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
