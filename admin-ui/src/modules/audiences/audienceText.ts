/**
 * Pure helpers of the audiences page: the name check made before saving and what uses an
 * audience, in words with where to go.
 */
import type { AudienceUserKind } from '../../api';

export interface AudienceUserLike {
  kind: AudienceUserKind;
  id: string;
  name: string;
  entryKey?: string | null;
}

export interface UsedByItem {
  text: string;
  /** The variant to open (its entry's key and its id); null for another audience (listed on this page). */
  variant: { entryKey: string; id: string } | null;
}

/** Why `name` cannot name a new audience, or null. */
export function audienceNameProblem(name: string, existing: readonly string[]): string | null {
  const t = name.trim();
  if (t === '') return 'Give the audience a name.';
  if (t.length > 100) return 'Shorten the name to at most 100 characters.';
  if (existing.includes(t)) return `There is already an audience named “${t}”. Choose another name, or edit that one.`;
  return null;
}

/** Each user as a line: `variant “Gold” of home-hero`, `audience “Premium”`. */
export function usedByItems(users: readonly AudienceUserLike[]): UsedByItem[] {
  return users.map((u) =>
    u.kind === 'VARIANT'
      ? { text: `variant “${u.name}” of ${u.entryKey ?? 'an entry'}`, variant: u.entryKey ? { entryKey: u.entryKey, id: u.id } : null }
      : { text: `${u.kind === 'AUDIENCE' ? 'audience' : String(u.kind).toLowerCase()} “${u.name}”`, variant: null },
  );
}

/** "Used by 2 variants and 1 audience", or "Not used yet". */
export function usedBySummary(users: readonly AudienceUserLike[]): string {
  if (users.length === 0) return 'Not used yet';
  const count = (kind: AudienceUserKind, one: string, many: string) => {
    const n = users.filter((u) => u.kind === kind).length;
    return n === 0 ? null : `${n} ${n === 1 ? one : many}`;
  };
  const parts = [count('VARIANT', 'variant', 'variants'), count('AUDIENCE', 'audience', 'audiences')].filter(Boolean);
  return `Used by ${parts.join(' and ')}`;
}
