import { useEffect, useState } from 'react';
import { describeError, fetchFile } from '../../api';
import { formatSize } from '../audit/auditQuery';
import { useSession } from '../session/SessionContext';
import { defaultRange, DIMENSIONS, usageFileName, usageProblem, usageReportUrl, type Dimension, type UsageFilter, type UsageFormat } from './usage';

interface Prepared { url: string; name: string; size: number }

/** The usage report as a file: fetched with the session token, then offered as a Blob link. */
export function UsageExportPanel({ initialBrand }: { initialBrand?: string }) {
  const { brands } = useSession();
  const [filter, setFilter] = useState<UsageFilter>(() => ({
    brand: initialBrand || brands[0]?.slug || '', ...defaultRange(), groupBy: ['VARIANT', 'DAY'],
  }));
  const [format, setFormat] = useState<UsageFormat>('csv');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<Prepared | null>(null);
  const problem = usageProblem(filter);
  const key = `${JSON.stringify(filter)}:${format}`;
  const set = (next: Partial<UsageFilter>) => setFilter((f) => ({ ...f, ...next }));

  useEffect(() => {
    setFile(null);
    setError(null);
  }, [key]);
  useEffect(() => () => { if (file) URL.revokeObjectURL(file.url); }, [file]);

  function toggle(d: Dimension) {
    const has = filter.groupBy.includes(d);
    set({ groupBy: DIMENSIONS.filter((x) => (x === d ? !has : filter.groupBy.includes(x))) });
  }

  async function prepare() {
    setBusy(true);
    setError(null);
    setFile(null);
    try {
      const blob = await fetchFile(usageReportUrl(filter, format));
      setFile({ url: URL.createObjectURL(blob), name: usageFileName(filter, format), size: blob.size });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="usage-export-title">
      <h2 id="usage-export-title">Usage report download</h2>
      <p className="muted">Impressions, clicks and conversions of one brand, grouped as chosen, by whole UTC days (both included).</p>
      <div className="inline-form">
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
        <fieldset className="export-format">
          <legend>Format</legend>
          <label className="radio"><input type="radio" name="ue-format" value="csv" checked={format === 'csv'} onChange={() => setFormat('csv')} /> CSV</label>
          <label className="radio"><input type="radio" name="ue-format" value="json" checked={format === 'json'} onChange={() => setFormat('json')} /> JSON</label>
        </fieldset>
        <button type="button" className="btn btn-primary" disabled={busy || problem !== null} onClick={() => void prepare()}>
          {busy ? 'Preparing…' : `Prepare usage ${format.toUpperCase()}`}
        </button>
        {file && (
          <a className="btn" href={file.url} download={file.name}>
            Download {file.name} <span className="muted">({formatSize(file.size)})</span>
          </a>
        )}
      </div>
      {problem && <p className="field-error" role="alert">{problem}</p>}
      {error && <p className="field-error" role="alert">Could not export usage: {error}</p>}
    </section>
  );
}
