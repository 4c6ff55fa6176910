/**
 * The audit page's filter as plain values: a brand (or all), an actor and an
 * action (exact, or any), and a range of whole days in UTC, both ends included. The same filter becomes GraphQL
 * variables (RFC 3339 instants, `to` exclusive) and the report's query string
 * (the days as YYYY-MM-DD, which the server reads the same way).
 */
import type { ReportFormat } from '../../ui/ReportDownload';

export interface AuditFilter {
  /** A brand slug, or '' for every brand. */
  brand: string;
  /** An actor's e-mail (or `key:NAME`, `system`…), or '' for anyone. */
  actor: string;
  /** An action name (`variant.publish`…), or '' for any. */
  action: string;
  /** YYYY-MM-DD (from <input type="date">), or '' for no bound. */
  from: string;
  to: string;
}

export const EMPTY_FILTER: AuditFilter = { brand: '', actor: '', action: '', from: '', to: '' };

export const REPORT_URL = '/api/reports/audit';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  const m = DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** The day after `day` (YYYY-MM-DD), across month and year ends. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** What is wrong with the filter, in words, or null. */
export function filterProblem(f: AuditFilter): string | null {
  if (f.from && !isDay(f.from)) return 'The start date is not a date (use YYYY-MM-DD).';
  if (f.to && !isDay(f.to)) return 'The end date is not a date (use YYYY-MM-DD).';
  if (f.from && f.to && f.from > f.to) return 'The start date is after the end date.';
  return null;
}

export interface AuditVariables {
  brand: string | null;
  actor: string | null;
  action: string | null;
  from: string | null;
  to: string | null;
}

/** GraphQL variables for `auditLog`: from the start of `from` to the end of `to` (UTC). */
export function auditVariables(f: AuditFilter): AuditVariables {
  return {
    brand: f.brand || null,
    actor: f.actor.trim() || null,
    action: f.action.trim() || null,
    from: f.from ? `${f.from}T00:00:00Z` : null,
    to: f.to ? `${nextDay(f.to)}T00:00:00Z` : null,
  };
}

/** The report's address: `/api/reports/audit?brand=…&actor=…&action=…&from=…&to=…&format=…`, empty parts left out. */
export function reportUrl(f: AuditFilter, format: ReportFormat): string {
  const q = new URLSearchParams();
  if (f.brand) q.set('brand', f.brand);
  if (f.actor.trim()) q.set('actor', f.actor.trim());
  if (f.action.trim()) q.set('action', f.action.trim());
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  q.set('format', format);
  return `${REPORT_URL}?${q.toString()}`;
}

/** A file name that says what the report holds: `vary-audit-alpine-2026-01-01_2026-01-31.csv`. */
export function reportFileName(f: AuditFilter, format: ReportFormat): string {
  const parts = ['vary-audit'];
  for (const part of [f.brand, f.actor.trim(), f.action.trim()]) if (part) parts.push(part.replace(/[^a-z0-9-]/gi, '_'));
  if (f.from || f.to) parts.push(`${f.from || 'start'}_${f.to || 'now'}`);
  return `${parts.join('-')}.${format}`;
}
