import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useBarBrand } from '../layout/useBarBrand';
import { UsageReportDocument, useQuery, type UsageReportQuery } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { preferredBrand } from '../layout/brandChoice';
import { useSession } from '../session/SessionContext';
import {
  defaultRange, DIMENSIONS, impressionsPerDay, nextSort, percent, ratesPerVariant, sortRows, usageProblem, usageVariables, variantLabel,
  type Dimension, type SortKey, type SortState, type UsageFilter,
} from './usage';

// Chart.js is loaded only when the Usage page is opened (its own chunk).
const ImpressionsChart = lazy(() => import('./UsageCharts').then((m) => ({ default: m.ImpressionsChart })));
const RatesChart = lazy(() => import('./UsageCharts').then((m) => ({ default: m.RatesChart })));

type Row = UsageReportQuery['usageReport'][number];

const DIMENSION_LABEL: Record<Dimension, string> = {
  ENTRY: 'Entry', VARIANT: 'Variant', REVISION: 'Revision', DEVICE: 'Device', DAY: 'Day', LOCALE: 'Locale',
};
const DIMENSION_COLUMN: Record<Dimension, { key: SortKey; label: string }> = {
  ENTRY: { key: 'entryKey', label: 'Entry' },
  VARIANT: { key: 'variant', label: 'Variant' },
  REVISION: { key: 'revision', label: 'Revision' },
  DEVICE: { key: 'device', label: 'Device' },
  DAY: { key: 'day', label: 'Day' },
  LOCALE: { key: 'locale', label: 'Locale' },
};
const METRIC_COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'impressions', label: 'Impressions' },
  { key: 'clicks', label: 'Clicks' },
  { key: 'conversions', label: 'Conversions' },
  { key: 'ctr', label: 'CTR' },
  { key: 'conversionRate', label: 'Conversion rate' },
];

/** Usage (auditors and admins): impressions, clicks and conversions of one brand's variants over a range of days. */
export function UsagePage() {
  const { brands } = useSession();
  const [barBrand, chooseBarBrand] = useBarBrand();
  const [filter, setFilter] = useState<UsageFilter>(() => ({ brand: barBrand ?? preferredBrand(brands.map((b) => b.slug)) ?? '', ...defaultRange(), groupBy: ['VARIANT'] }));
  useEffect(() => {
    if (barBrand) setFilter((f) => (f.brand === barBrand ? f : { ...f, brand: barBrand }));
  }, [barBrand]);
  const problem = usageProblem(filter);
  const skip = problem !== null;
  const set = (next: Partial<UsageFilter>) => setFilter((f) => ({ ...f, ...next }));

  const perDay = useQuery(UsageReportDocument, usageVariables(filter, ['VARIANT', 'DAY']), { skip });
  const perVariant = useQuery(UsageReportDocument, usageVariables(filter, ['VARIANT']), { skip });
  const table = useQuery(UsageReportDocument, usageVariables(filter), { skip });

  const line = useMemo(() => impressionsPerDay(perDay.data?.usageReport ?? [], filter.from, filter.to), [perDay.data, filter.from, filter.to]);
  const bars = useMemo(() => ratesPerVariant(perVariant.data?.usageReport ?? []), [perVariant.data]);

  function toggle(d: Dimension) {
    const has = filter.groupBy.includes(d);
    set({ groupBy: DIMENSIONS.filter((x) => (x === d ? !has : filter.groupBy.includes(x))) });
  }

  return (
    <section className="page">
      <h1>Usage</h1>
      <p className="muted">Impressions, clicks and conversions of a brand’s variants, by whole UTC days (both included).</p>
      <form className="card inline-form" aria-label="Usage filter" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="us-brand">Brand</label>
          <select id="us-brand" value={filter.brand} onChange={(e) => { set({ brand: e.target.value }); chooseBarBrand(e.target.value); }}>
            {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="us-from">From (UTC)</label>
          <input id="us-from" type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="us-to">To (UTC, included)</label>
          <input id="us-to" type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <fieldset className="export-format">
          <legend>Table grouped by</legend>
          {DIMENSIONS.map((d) => (
            <label key={d} className="radio">
              <input type="checkbox" checked={filter.groupBy.includes(d)} onChange={() => toggle(d)} /> {DIMENSION_LABEL[d]}
            </label>
          ))}
        </fieldset>
        {problem && <p className="field-error" role="alert">{problem}</p>}
      </form>

      <section className="card" aria-labelledby="us-line-title">
        <h2 id="us-line-title">Impressions per day</h2>
        <ErrorBox error={perDay.error} onRetry={() => void perDay.reload()} title="Could not load impressions per day." />
        {perDay.loading ? <Loading what="Loading impressions" /> : !perDay.error && !skip && (
          line.series.length === 0
            ? <p className="empty">No impressions were recorded for this brand in this range.</p>
            : <Suspense fallback={<Loading what="Loading the chart" />}><ImpressionsChart data={line} /></Suspense>
        )}
      </section>

      <section className="card" aria-labelledby="us-bar-title">
        <h2 id="us-bar-title">CTR and conversion rate per variant</h2>
        <ErrorBox error={perVariant.error} onRetry={() => void perVariant.reload()} title="Could not load rates per variant." />
        {perVariant.loading ? <Loading what="Loading rates" /> : !perVariant.error && !skip && (
          bars.labels.length === 0
            ? <p className="empty">No usage was recorded for this brand in this range.</p>
            : <Suspense fallback={<Loading what="Loading the chart" />}><RatesChart data={bars} /></Suspense>
        )}
      </section>

      <section aria-labelledby="us-table-title">
        <h2 id="us-table-title">Report</h2>
        <ErrorBox error={table.error} onRetry={() => void table.reload()} title="Could not load the usage report." />
        {table.loading ? <Loading what="Loading the usage report" /> : !table.error && !skip && (
          <UsageTable rows={table.data?.usageReport ?? []} groupBy={filter.groupBy} />
        )}
      </section>
    </section>
  );
}

function UsageTable({ rows, groupBy }: { rows: Row[]; groupBy: Dimension[] }) {
  const [sort, setSort] = useState<SortState>({ key: 'impressions', dir: 'desc' });
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  if (rows.length === 0) return <p className="empty">No usage was recorded for this brand in this range.</p>;
  const columns = [...groupBy.map((d) => DIMENSION_COLUMN[d]), ...METRIC_COLUMNS];
  const cell = (r: Row, key: SortKey) => {
    switch (key) {
      case 'variant': return variantLabel(r);
      case 'ctr': return percent(r.ctr);
      case 'conversionRate': return percent(r.conversionRate);
      default: return String(r[key] ?? '—');
    }
  };
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Usage table (scrollable)">
      <table className="table" aria-label="Usage report">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="link-button" onClick={() => setSort((s) => nextSort(s, c.key))}>
                  {c.label}{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => <td key={c.key}>{cell(r, c.key)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
