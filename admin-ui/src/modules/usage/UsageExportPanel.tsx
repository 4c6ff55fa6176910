import { useState } from 'react';
import { ReportDownload } from '../../ui/ReportDownload';
import { useSession } from '../session/SessionContext';
import { defaultRange, DIMENSIONS, usageFileName, usageProblem, usageReportUrl, type Dimension, type UsageFilter } from './usage';

/** The usage report of one brand as a file, grouped as chosen. */
export function UsageExportPanel({ initialBrand }: { initialBrand?: string }) {
  const { brands } = useSession();
  const [filter, setFilter] = useState<UsageFilter>(() => ({
    brand: initialBrand || brands[0]?.slug || '', ...defaultRange(), groupBy: ['VARIANT', 'DAY'],
  }));
  const problem = usageProblem(filter);
  const set = (next: Partial<UsageFilter>) => setFilter((f) => ({ ...f, ...next }));

  function toggle(d: Dimension) {
    const has = filter.groupBy.includes(d);
    set({ groupBy: DIMENSIONS.filter((x) => (x === d ? !has : filter.groupBy.includes(x))) });
  }

  return (
    <section className="card" aria-labelledby="usage-export-title">
      <h2 id="usage-export-title">Usage report download</h2>
      <p className="muted">Impressions, clicks and conversions of one brand, grouped as chosen, by whole UTC days (both included).</p>
      <ReportDownload
        url={(format) => usageReportUrl(filter, format)}
        fileName={(format) => usageFileName(filter, format)}
        inputs={JSON.stringify(filter)}
        blocked={problem}
        prepareLabel={(format) => `Prepare usage ${format.toUpperCase()}`}
        failure="Could not export usage"
        name="ue-format"
      >
        <div className="field">
          <label htmlFor="ue-brand">Brand</label>
          <select id="ue-brand" value={filter.brand} onChange={(e) => set({ brand: e.target.value })}>
            {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ue-from">From (UTC)</label>
          <input id="ue-from" type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => set({ from: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="ue-to">To (UTC, included)</label>
          <input id="ue-to" type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => set({ to: e.target.value })} />
        </div>
        <fieldset className="export-format">
          <legend>Group by</legend>
          {DIMENSIONS.map((d) => (
            <label key={d} className="radio">
              <input type="checkbox" checked={filter.groupBy.includes(d)} onChange={() => toggle(d)} /> {d.charAt(0) + d.slice(1).toLowerCase()}
            </label>
          ))}
        </fieldset>
      </ReportDownload>
      {problem && <p className="field-error" role="alert">{problem}</p>}
    </section>
  );
}
