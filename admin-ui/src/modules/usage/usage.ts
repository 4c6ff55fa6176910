/**
 * Pure logic of the usage dashboard and the usage export: the default date
 * range, the GraphQL variables and REST address, and report rows turned into
 * chart series and a sorted table.
 */
import type { ReportFormat } from '../../ui/ReportDownload';
import { nextDay } from '../audit/auditQuery';

export const DIMENSIONS = ['ENTRY', 'VARIANT', 'REVISION', 'DEVICE', 'DAY', 'LOCALE'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface UsageFilter {
  brand: string;
  /** YYYY-MM-DD, UTC, both included. */
  from: string;
  to: string;
  groupBy: Dimension[];
}

export interface UsageRowLike {
  entryKey?: string | null;
  variantId?: string | null;
  variantName?: string | null;
  revision?: string | null;
  device?: string | null;
  day?: string | null;
  locale?: string | null;
  impressions: number;
  clicks: number;
  conversions: number;
  ctr: number;
  conversionRate: number;
}

/** The last `days` days up to and including today (UTC): default the last 30. */
export function defaultRange(now: Date = new Date(), days = 30): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  return { from: start.toISOString().slice(0, 10), to };
}

/** GraphQL variables: from the start of `from` to the end of `to` (UTC). */
export function usageVariables(f: UsageFilter, groupBy: Dimension[] = f.groupBy) {
  return { brand: f.brand, from: `${f.from}T00:00:00Z`, to: `${nextDay(f.to)}T00:00:00Z`, groupBy };
}

/** `/api/reports/usage?brand=…&from=…&to=…&groupBy=VARIANT,DAY&format=…`. */
export function usageReportUrl(f: UsageFilter, format: ReportFormat): string {
  const q = new URLSearchParams();
  q.set('brand', f.brand);
  q.set('from', f.from);
  q.set('to', f.to);
  if (f.groupBy.length) q.set('groupBy', f.groupBy.join(','));
  q.set('format', format);
  return `/api/reports/usage?${q.toString()}`;
}

export function usageFileName(f: UsageFilter, format: ReportFormat): string {
  const brand = f.brand.replace(/[^a-z0-9-]/gi, '_');
  return `vary-usage-${brand}-${f.from}_${f.to}.${format}`;
}

/** A variant's label: its name, else its id, else "(all)". */
export function variantLabel(r: UsageRowLike): string {
  return r.variantName || r.variantId || '(all)';
}

/** Every day from `from` to `to` inclusive (YYYY-MM-DD); at most 366 days. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 366; d = nextDay(d)) out.push(d);
  return out;
}

export interface LineSeries {
  labels: string[];
  series: { key: string; label: string; data: number[] }[];
}

/** Rows grouped by [VARIANT, DAY] → one line per variant of impressions per day; missing days count 0. */
export function impressionsPerDay(rows: UsageRowLike[], from: string, to: string): LineSeries {
  const labels = daysBetween(from, to);
  const index = new Map(labels.map((d, i) => [d, i]));
  const byVariant = new Map<string, { key: string; label: string; data: number[] }>();
  for (const r of rows) {
    if (!r.day) continue;
    const i = index.get(r.day);
    if (i === undefined) continue;
    const key = r.variantId ?? r.variantName ?? '';
    let s = byVariant.get(key);
    if (!s) {
      s = { key, label: variantLabel(r), data: labels.map(() => 0) };
      byVariant.set(key, s);
    }
    s.data[i] += r.impressions;
  }
  const series = [...byVariant.values()].sort((a, b) => a.label.localeCompare(b.label));
  return { labels, series };
}

export interface RateBars {
  labels: string[];
  ctr: number[];
  conversionRate: number[];
}

/** Rows grouped by [VARIANT] → CTR and conversion rate per variant, as percentages. */
export function ratesPerVariant(rows: UsageRowLike[]): RateBars {
  const sorted = [...rows].sort((a, b) => variantLabel(a).localeCompare(variantLabel(b)));
  return {
    labels: sorted.map(variantLabel),
    ctr: sorted.map((r) => round2(r.ctr * 100)),
    conversionRate: sorted.map((r) => round2(r.conversionRate * 100)),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export type SortKey = 'entryKey' | 'variant' | 'revision' | 'device' | 'day' | 'locale' | 'impressions' | 'clicks' | 'conversions' | 'ctr' | 'conversionRate';
export interface SortState { key: SortKey; dir: 'asc' | 'desc' }

function sortValue(r: UsageRowLike, key: SortKey): string | number {
  if (key === 'variant') return variantLabel(r);
  const v = r[key];
  return v ?? '';
}

/** A sorted copy; ties keep their order. Numbers compare as numbers, text by locale. */
export function sortRows<T extends UsageRowLike>(rows: T[], sort: SortState): T[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => {
      const x = sortValue(a.r, sort.key);
      const y = sortValue(b.r, sort.key);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return c !== 0 ? c * sign : a.i - b.i;
    })
    .map(({ r }) => r);
}

/** Clicking a column: the same column flips direction; a new one starts descending for numbers, ascending for text. */
export function nextSort(cur: SortState, key: SortKey): SortState {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  const numeric = ['impressions', 'clicks', 'conversions', 'ctr', 'conversionRate'].includes(key);
  return { key, dir: numeric ? 'desc' : 'asc' };
}

/** What is wrong with the filter, in words, or null. */
export function usageProblem(f: UsageFilter): string | null {
  if (!f.brand) return 'Choose a brand.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.from) || !/^\d{4}-\d{2}-\d{2}$/.test(f.to)) return 'Give both dates (YYYY-MM-DD).';
  if (f.from > f.to) return 'The start date is after the end date.';
  return null;
}

export function percent(n: number): string {
  return `${(n * 100).toFixed(2)} %`;
}
