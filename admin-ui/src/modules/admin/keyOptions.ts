/** A delivery key's options as the form holds them (text) and as the API takes them. */
import { fromLocalInput } from '../../ui/format';

export interface KeyOptionsForm {
  /** <input type="datetime-local"> value, or '' for a key that does not expire. */
  expires: string;
  /** Origins separated by commas, spaces or lines, or '' for every allowed origin. */
  origins: string;
  /** Answers per second, or '' for no limit. */
  rate: string;
}

export interface KeyOptions {
  expiresAt: string | null;
  allowedOrigins: string[] | null;
  rateLimit: number | null;
}

export const EMPTY_OPTIONS: KeyOptionsForm = { expires: '', origins: '', rate: '' };

/** The form's options for the API, or a sentence saying what to fix. */
export function parseKeyOptions(form: KeyOptionsForm, now: Date = new Date()): KeyOptions | string {
  const expiresAt = fromLocalInput(form.expires);
  if (form.expires && !expiresAt) return 'Enter the expiry as a date and time.';
  if (expiresAt && new Date(expiresAt) <= now) return 'The expiry must lie in the future.';
  let rateLimit: number | null = null;
  if (form.rate.trim()) {
    rateLimit = Number(form.rate.trim());
    if (!Number.isInteger(rateLimit) || rateLimit < 1) return 'The rate limit must be a whole number of at least 1.';
  }
  const list = form.origins.split(/[\s,]+/).filter(Boolean);
  for (const origin of list) {
    const problem = originProblem(origin);
    if (problem) return problem;
  }
  return { expiresAt, allowedOrigins: list.length ? list : null, rateLimit };
}

function originProblem(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `“${origin}” is not an origin: write it like https://shop.example.`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `“${origin}” must start with https:// (or http://).`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    return `“${origin}” is not an origin: give only the scheme, host and port.`;
  }
  return null;
}

/** A key's limits in a few words, for the keys table. */
export function describeLimits(key: { rateLimit?: number | null; allowedOrigins?: string[] | null }): string {
  const parts: string[] = [];
  if (key.rateLimit != null) parts.push(`${key.rateLimit}/s`);
  if (key.allowedOrigins != null) parts.push(key.allowedOrigins.length ? key.allowedOrigins.join(', ') : 'no browser origin');
  return parts.length ? parts.join(' · ') : 'None';
}
