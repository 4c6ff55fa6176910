import { useCallback, useEffect, useRef, useState } from 'react';
import { AuditLogDocument, request, type AuditLogQuery } from '../../api';
import { DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime, shortHash } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import { preferredBrand } from '../layout/brandChoice';
import { useBarBrand } from '../layout/useBarBrand';
import { ReportDownload } from '../../ui/ReportDownload';
import { useSession } from '../session/SessionContext';
import { UsageExportPanel } from '../usage/UsageExportPanel';
import { ChainStatus } from './ChainStatus';
import {
  auditVariables, EMPTY_FILTER, filterProblem, reportFileName, reportUrl, type AuditFilter,
} from './auditQuery';

type AuditRow = AuditLogQuery['auditLog']['edges'][number];

const PAGE_SIZE = 100;

/** The audit log (auditors and admins), newest first: filter by brand, actor, action and days, page through it, export it. */
export function AuditPage() {
  const { brands } = useSession();
  const [barBrand, chooseBarBrand] = useBarBrand();
  const [filter, setFilter] = useState<AuditFilter>(() => ({ ...EMPTY_FILTER, brand: barBrand ?? preferredBrand(brands.map((b) => b.slug)) ?? '' }));
  useEffect(() => {
    if (barBrand) setFilter((f) => (f.brand === barBrand ? f : { ...f, brand: barBrand }));
  }, [barBrand]);
  const problem = filterProblem(filter);
  const settled = useSettled(filter, 300);
  const log = useAuditLog(settled, problem === null && filterProblem(settled) === null);
  const seen = useSeen(log.rows);

  const set = (next: Partial<AuditFilter>) => setFilter((f) => ({ ...f, ...next }));

  return (
    <section className="page">
      <h1>Audit log</h1>
      <p className="muted">Every recorded change, newest first. Each row’s hash covers the row before it, so a gap or an edit breaks the chain.</p>
      <ChainStatus />
      <form className="card inline-form" aria-label="Audit filter" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="au-brand">Brand</label>
          <select id="au-brand" value={filter.brand} onChange={(e) => { set({ brand: e.target.value }); chooseBarBrand(e.target.value); }}>
            <option value="">All brands</option>
            {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="au-actor">Who</label>
          <input id="au-actor" type="search" list="au-actors" placeholder="anyone" value={filter.actor} onChange={(e) => set({ actor: e.target.value })} />
          <datalist id="au-actors">{seen.actors.map((a) => <option key={a} value={a} />)}</datalist>
        </div>
        <div className="field">
          <label htmlFor="au-action">Action</label>
          <input id="au-action" type="search" list="au-actions" placeholder="any" value={filter.action} onChange={(e) => set({ action: e.target.value })} />
          <datalist id="au-actions">{seen.actions.map((a) => <option key={a} value={a} />)}</datalist>
        </div>
        <div className="field">
          <label htmlFor="au-from">From (UTC)</label>
          <input id="au-from" type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => set({ from: e.target.value })} aria-describedby="au-filter-err" />
        </div>
        <div className="field">
          <label htmlFor="au-to">To (UTC, included)</label>
          <input id="au-to" type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => set({ to: e.target.value })} aria-describedby="au-filter-err" />
        </div>
        {(filter.brand || filter.actor || filter.action || filter.from || filter.to) && (
          <button type="button" className="btn" onClick={() => setFilter(EMPTY_FILTER)}>Clear filter</button>
        )}
        {problem && <p className="field-error" id="au-filter-err" role="alert">{problem}</p>}
      </form>

      <ExportPanel filter={filter} blocked={problem} />
      <UsageExportPanel key={filter.brand} initialBrand={filter.brand} />

      <ErrorBox error={log.error} onRetry={log.retry} title="Could not load the audit log." />
      {log.loading && log.rows.length === 0 && <Loading what="Loading the audit log" />}
      {!log.loading && !log.error && log.rows.length === 0 && problem === null && <p className="empty">No audit entries match this filter.</p>}
      {log.rows.length > 0 && (
        <DataTable
          region="Audit log"
          label="Audit entries"
          className="table audit-table"
          columns={['When', 'Who', 'Action', 'Target', 'Brand', 'Revision', 'Note', 'Hash']}
        >
          {log.rows.map(({ cursor, node: n }) => (
            <tr key={cursor}>
              <td><time dateTime={n.at} title={n.at}>{formatDateTime(n.at)}</time></td>
              <td>{n.actor}</td>
              <td><code>{n.action}</code></td>
              <td className="wrap-anywhere">
                {n.targetLabel ? <span title={n.target}>{n.targetLabel}</span> : n.target}
              </td>
              <td>{n.brand ?? <span className="muted">—</span>}</td>
              <td>
                {n.revisionBefore || n.revisionAfter ? (
                  <code title={`${n.revisionBefore ?? 'none'} → ${n.revisionAfter ?? 'none'}`}>
                    {shortHash(n.revisionBefore)} → {shortHash(n.revisionAfter)}
                  </code>
                ) : <span className="muted">—</span>}
              </td>
              <td>{n.note ?? ''}</td>
              <td><code title={n.hash}>{shortHash(n.hash)}</code></td>
            </tr>
          ))}
        </DataTable>
      )}
      {log.rows.length > 0 && (
        <div className="pager">
          <span className="muted" aria-live="polite">{log.rows.length} {log.rows.length === 1 ? 'entry' : 'entries'} shown{log.hasMore ? '' : ' — that is all'}</span>
          {log.hasMore && (
            <button type="button" className="btn" disabled={log.loading} onClick={log.loadMore}>
              {log.loading ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** `value` once it has stopped changing for `ms` (typing a name does not ask the server at every key). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(JSON.parse(key) as T), ms);
    return () => window.clearTimeout(timer);
  }, [key, ms]);
  return settled;
}

/** Every actor and action seen on this page so far, sorted, to suggest in the filter. */
function useSeen(rows: AuditRow[]): { actors: string[]; actions: string[] } {
  const [seen] = useState(() => ({ actors: new Set<string>(), actions: new Set<string>() }));
  for (const { node } of rows) {
    seen.actors.add(node.actor);
    seen.actions.add(node.action);
  }
  return { actors: [...seen.actors].sort(), actions: [...seen.actions].sort() };
}

interface AuditLogState {
  rows: AuditRow[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  retry: () => void;
}

/** The filtered log, page after page (Relay cursors); a new filter starts again from the first page. */
function useAuditLog(filter: AuditFilter, enabled: boolean): AuditLogState {
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const key = JSON.stringify(filter);

  const load = useCallback(async (after: string | null) => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const vars = auditVariables(JSON.parse(key) as AuditFilter);
      const res = await request(AuditLogDocument, { ...vars, first: PAGE_SIZE, after });
      if (mine !== seq.current) return;
      const { edges, pageInfo } = res.auditLog;
      setRows((old) => (after ? [...old, ...edges] : edges));
      setCursor(pageInfo.endCursor ?? null);
      setHasMore(pageInfo.hasNextPage);
    } catch (err) {
      if (mine === seq.current) setError(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    setRows([]);
    setCursor(null);
    setHasMore(false);
    if (enabled) void load(null);
    else seq.current++;
  }, [load, enabled]);

  return {
    rows,
    hasMore,
    loading,
    error,
    loadMore: () => void load(cursor),
    retry: () => void load(rows.length ? cursor : null),
  };
}

/** The audit report for the filter above, every matching row, as a file. */
function ExportPanel({ filter, blocked }: { filter: AuditFilter; blocked: string | null }) {
  const scope = [filter.brand ? `brand ${filter.brand}` : 'all brands', filter.actor && `by ${filter.actor}`, filter.action && `action ${filter.action}`, filter.from && `from ${filter.from}`, filter.to && `to ${filter.to}`].filter(Boolean).join(', ');
  return (
    <section className="card" aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="muted">The audit report for the filter above ({scope}), every matching row, as a file.</p>
      <ReportDownload
        url={(format) => reportUrl(filter, format)}
        fileName={(format) => reportFileName(filter, format)}
        inputs={JSON.stringify(filter)}
        blocked={blocked}
        prepareLabel={(format) => `Prepare ${format.toUpperCase()} report`}
        failure="Could not export"
        name="au-format"
      />
    </section>
  );
}
