/**
 * "Open preview": the brand's preview URL template filled with the entry's key and a preview
 * key's token, and where this browser keeps that token. The token is a preview delivery key's
 * (it reads drafts and records nothing), never the editor's session token; it stays in this
 * browser's local storage, per brand, until forgotten.
 */

/** The link for `entryKey`, or null when the template would not give an http(s) address. */
export function previewHref(template: string, entryKey: string, token: string): string | null {
  const filled = template
    .split('{key}').join(encodeURIComponent(entryKey))
    .split('{token}').join(encodeURIComponent(token));
  try {
    const url = new URL(filled);
    return url.protocol === 'http:' || url.protocol === 'https:' ? filled : null;
  } catch {
    return null;
  }
}

/** Fills the placeholders when checking a template, so a host made of them shows. */
const MARKER = 'vary-placeholder';

/** What is wrong with a template, in words (as the server checks it), or null. */
export function previewUrlProblem(template: string): string | null {
  const t = template.trim();
  if (t === '') return null;
  if (/\s/.test(t)) return 'Remove the spaces from the address.';
  if (!t.includes('{key}')) return 'Put {key} where the entry’s key goes, e.g. https://site.example/{key}?vary_preview={token}.';
  const filled = previewHref(t, MARKER, MARKER);
  if (filled === null) return 'Enter a full address starting with https:// (or http://).';
  if (new URL(filled).hostname.includes(MARKER)) return 'Start with your site’s own address (https://site.example/…): {key} and {token} cannot be the host.';
  return null;
}

const storageKey = (brand: string) => `vary.previewToken.${brand}`;

/** The preview key token this browser keeps for `brand`, if any. */
export function storedPreviewToken(brand: string, storage: Pick<Storage, 'getItem'> = localStorage): string | null {
  const t = storage.getItem(storageKey(brand));
  return t && t.trim() ? t.trim() : null;
}

export function storePreviewToken(brand: string, token: string | null, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (token && token.trim()) storage.setItem(storageKey(brand), token.trim());
  else storage.removeItem(storageKey(brand));
}
