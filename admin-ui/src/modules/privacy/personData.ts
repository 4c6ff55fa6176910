/**
 * A person's data as plain values: the lookup's problems, the JSON file an
 * auditor exports (what a person asking for their data receives), and the
 * words of the erase confirmation.
 */
import type { PersonDataQuery } from '../../api';

export type PersonEvent = PersonDataQuery['personData'][number];

export interface PersonLookup {
  brand: string;
  userKey: string;
}

/** Why the lookup cannot be asked yet, or null. */
export function lookupProblem(l: PersonLookup): string | null {
  if (!l.brand) return 'Choose a brand.';
  if (!l.userKey.trim()) return 'Enter the person’s user key, as the app sends it.';
  return null;
}

/** The export: the brand, when it was made, and every event oldest first. The user key itself is
 * left out, so the file can be handed over without naming anyone else's key. */
export function exportJson(brand: string, events: PersonEvent[], now: Date = new Date()): string {
  return `${JSON.stringify({ brand, exportedAt: now.toISOString(), events }, null, 2)}\n`;
}

/** A file name for the export: brand and date, no user key. */
export function exportFileName(brand: string, now: Date = new Date()): string {
  return `vary-person-data-${brand}-${now.toISOString().slice(0, 10)}.json`;
}

/** The question asked before erasing. */
export function eraseQuestion(count: number, brand: string): string {
  const events = count === 1 ? '1 usage event' : `${count} usage events`;
  return `Erase ${events} of this person in ${brand}? They are deleted from the database and every report; this cannot be undone.`;
}
