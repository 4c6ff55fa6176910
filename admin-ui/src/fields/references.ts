/** Pure helpers of the reference picker: which entries match what the editor typed. */

export interface EntryChoice {
  key: string;
  contentType: string;
  description?: string | null;
}

/** Entries whose key, content type or description holds every word of `query`, case-insensitively. */
export function matchingEntries(entries: EntryChoice[], query: string, limit = 20): EntryChoice[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return entries
    .filter((e) => {
      const text = `${e.key} ${e.contentType} ${e.description ?? ''}`.toLowerCase();
      return words.every((w) => text.includes(w));
    })
    .slice(0, limit);
}

/** The content types a REFERENCE field may point to, or null for "any of the brand's". */
export function allowedTypes(to: readonly string[] | null | undefined): string[] | null {
  return to && to.length > 0 ? [...to] : null;
}
