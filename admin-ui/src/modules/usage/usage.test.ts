import { describe, expect, it } from 'vitest';
import {
  daysBetween, defaultRange, impressionsPerDay, nextSort, ratesPerVariant, sortRows, usageFileName, usageProblem, usageReportUrl,
  usageVariables, type UsageFilter, type UsageRowLike,
} from './usage';

const row = (p: Partial<UsageRowLike>): UsageRowLike => ({ impressions: 0, clicks: 0, conversions: 0, ctr: 0, conversionRate: 0, ...p });
const F: UsageFilter = { brand: 'alpine', from: '2026-11-01', to: '2026-11-30', groupBy: ['VARIANT', 'DAY'] };

describe('defaultRange', () => {
  it('is the last 30 days, today included', () => {
    expect(defaultRange(new Date('2026-03-15T23:59:00Z'))).toEqual({ from: '2026-02-14', to: '2026-03-15' });
  });
  it('crosses year ends', () => {
    expect(defaultRange(new Date('2026-01-05T00:00:00Z'), 7)).toEqual({ from: '2025-12-30', to: '2026-01-05' });
  });
});

describe('variables and addresses', () => {
  it('turns whole days into instants, the end exclusive', () => {
    expect(usageVariables(F)).toEqual({ brand: 'alpine', from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z', groupBy: ['VARIANT', 'DAY'] });
    expect(usageVariables(F, ['VARIANT']).groupBy).toEqual(['VARIANT']);
  });
  it('builds the REST report address', () => {
    expect(usageReportUrl(F, 'csv')).toBe('/api/reports/usage?brand=alpine&from=2026-11-01&to=2026-11-30&groupBy=VARIANT%2CDAY&format=csv');
    expect(usageReportUrl({ ...F, groupBy: [] }, 'json')).toBe('/api/reports/usage?brand=alpine&from=2026-11-01&to=2026-11-30&format=json');
    expect(usageFileName(F, 'json')).toBe('vary-usage-alpine-2026-11-01_2026-11-30.json');
  });
  it('explains a bad filter', () => {
    expect(usageProblem(F)).toBeNull();
    expect(usageProblem({ ...F, brand: '' })).toMatch(/brand/);
    expect(usageProblem({ ...F, from: '' })).toMatch(/dates/);
    expect(usageProblem({ ...F, from: '2026-12-01' })).toMatch(/after/);
  });
});

describe('chart series', () => {
  it('lists every day of the range', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
  it('makes one line per variant, missing days zero, out-of-range days ignored', () => {
    const s = impressionsPerDay([
      row({ variantId: 'v2', variantName: 'Winter', day: '2026-11-02', impressions: 5 }),
      row({ variantId: 'v1', variantName: 'Autumn', day: '2026-11-01', impressions: 3 }),
      row({ variantId: 'v1', variantName: 'Autumn', day: '2026-11-03', impressions: 4 }),
      row({ variantId: 'v1', variantName: 'Autumn', day: '2026-12-09', impressions: 99 }),
      row({ variantId: 'v1', variantName: 'Autumn', day: null, impressions: 99 }),
    ], '2026-11-01', '2026-11-03');
    expect(s.labels).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(s.series).toEqual([
      { key: 'v1', label: 'Autumn', data: [3, 0, 4] },
      { key: 'v2', label: 'Winter', data: [0, 5, 0] },
    ]);
  });
  it('is empty without rows', () => {
    expect(impressionsPerDay([], '2026-11-01', '2026-11-02').series).toEqual([]);
  });
  it('gives rates per variant as percentages', () => {
    const b = ratesPerVariant([
      row({ variantId: 'v2', variantName: 'B', ctr: 0.125, conversionRate: 0.01 }),
      row({ variantId: 'v1', variantName: null, ctr: 1 / 3, conversionRate: 0 }),
    ]);
    expect(b).toEqual({ labels: ['B', 'v1'], ctr: [12.5, 33.33], conversionRate: [1, 0] });
  });
});

describe('table sorting', () => {
  const rows = [
    row({ variantName: 'b', impressions: 10, device: 'MOBILE' }),
    row({ variantName: 'a', impressions: 30, device: null }),
    row({ variantName: 'c', impressions: 10, device: 'DESKTOP' }),
  ];
  it('sorts numbers as numbers, ties stable', () => {
    expect(sortRows(rows, { key: 'impressions', dir: 'desc' }).map((r) => r.variantName)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, { key: 'impressions', dir: 'asc' }).map((r) => r.variantName)).toEqual(['b', 'c', 'a']);
  });
  it('sorts text, nulls first ascending', () => {
    expect(sortRows(rows, { key: 'variant', dir: 'asc' }).map((r) => r.variantName)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, { key: 'device', dir: 'asc' }).map((r) => r.variantName)).toEqual(['a', 'c', 'b']);
  });
  it('flips the same column, starts numbers descending', () => {
    expect(nextSort({ key: 'ctr', dir: 'desc' }, 'ctr')).toEqual({ key: 'ctr', dir: 'asc' });
    expect(nextSort({ key: 'ctr', dir: 'desc' }, 'clicks')).toEqual({ key: 'clicks', dir: 'desc' });
    expect(nextSort({ key: 'ctr', dir: 'desc' }, 'day')).toEqual({ key: 'day', dir: 'asc' });
  });
});
