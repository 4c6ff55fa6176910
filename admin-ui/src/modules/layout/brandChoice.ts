/** Remembers the last brand a person worked in, per browser. */
const KEY = 'vary.brand';

export function rememberBrand(slug: string): void {
  try {
    localStorage.setItem(KEY, slug);
  } catch {
    /* storage unavailable */
  }
}

export function preferredBrand(available: string[]): string | undefined {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(KEY);
  } catch {
    saved = null;
  }
  return saved && available.includes(saved) ? saved : available[0];
}
