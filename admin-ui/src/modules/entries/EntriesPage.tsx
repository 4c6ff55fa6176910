import { useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router-dom';
import { ContentTypesDocument, EntriesDocument, useQuery } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { canEdit } from '../session/permissions';
import { useBrand, useSession } from '../session/SessionContext';
import { EntrySearch } from './EntrySearch';
import { NewEntryForm } from './NewEntryForm';
import { paths } from './paths';
import { filterParams, hasStatus, isVariantStatus, STATUS_FILTERS, type StatusFilter } from './statusFilter';

const PAGE_SIZE = 20;

/** Starts from the first page again whenever the brand changes. */
export function EntriesPage() {
  const { brand: slug = '' } = useParams();
  return <EntriesList key={slug} slug={slug} />;
}

function EntriesList({ slug }: { slug: string }) {
  const brand = useBrand(slug);
  const { user } = useSession();
  const [search, setSearch] = useSearchParams();
  const contentType = search.get('type') ?? '';
  const status = (search.get('status') ?? '') as StatusFilter | '';
  // Relay cursors go forward only; the cursors of earlier pages are kept to go back.
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  /** The key of an entry just deleted on its page, said once here. */
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;
  const after = cursors[cursors.length - 1];

  const types = useQuery(ContentTypesDocument, { brand: slug });
  const list = useQuery(EntriesDocument, { brand: slug, contentType: contentType || null, first: PAGE_SIZE, after });

  if (!brand) {
    return (
      <section className="page">
        <h1>Unknown brand</h1>
        <p>You have no access to a brand called “{slug}”. Choose one of yours in the brand menu.</p>
      </section>
    );
  }

  function chooseType(value: string) {
    setCursors([null]);
    setSearch(filterParams({ type: value, status }));
  }

  function chooseStatus(value: string) {
    setSearch(filterParams({ type: contentType, status: value }));
  }

  const conn = list.data?.entries;
  const shown = conn ? conn.edges.filter(({ node }) => !status || hasStatus(node.variants, status)) : [];
  return (
    <section className="page">
      <div className="page-head">
        <h1>{brand.name}: entries</h1>
        {canEdit(user.role) && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
            New entry
          </button>
        )}
      </div>
      {deleted && <p role="status" className="notice">The entry “{deleted}” was deleted.</p>}
      {creating && <NewEntryForm brand={slug} types={types.data?.contentTypes ?? []} onCancel={() => setCreating(false)} />}
      <EntrySearch brand={slug} status={isVariantStatus(status) ? status : null} />
      <div className="toolbar">
        <label htmlFor="type-filter">Content type</label>
        <select id="type-filter" value={contentType} onChange={(e) => chooseType(e.target.value)}>
          <option value="">All types</option>
          {types.data?.contentTypes.map((t) => (
            <option key={t.id} value={t.name}>{t.name}</option>
          ))}
        </select>
        <label htmlFor="status-filter">Status</label>
        <select id="status-filter" value={status} onChange={(e) => chooseStatus(e.target.value)}>
          <option value="">Any status</option>
          {STATUS_FILTERS.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
        </select>
        {conn && <span className="muted">{conn.totalCount} {conn.totalCount === 1 ? 'entry' : 'entries'}</span>}
      </div>
      <ErrorBox error={types.error} title="Content types could not be loaded." onRetry={types.reload} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.loading && <Loading what="Loading entries" />}
      {conn && !list.loading && status && conn.edges.length > 0 && (
        <p className="muted">{shown.length} of the {conn.edges.length} entries on this page have a variant that is {STATUS_FILTERS.find((s) => s.value === status)?.label.toLowerCase() ?? status}.</p>
      )}
      {conn && !list.loading && conn.edges.length === 0 && (
        <p className="empty">No entries {contentType ? `of type ${contentType} ` : ''}yet.</p>
      )}
      {conn && !list.loading && conn.edges.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Entries (scrollable)">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
              <th scope="col">Description</th>
              <th scope="col">Variants</th>
              <th scope="col">Live</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ node }) => (
              <tr key={node.id}>
                <td><Link to={paths.entry(slug, node.key)}>{node.key}</Link></td>
                <td>{node.contentType}</td>
                <td className="muted">{node.description || '—'}</td>
                <td>{node.variants.filter((v) => v.status !== 'ARCHIVED').length}</td>
                <td>{node.variants.filter((v) => v.onAir.live).length}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" className="btn" disabled={cursors.length <= 1 || list.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Previous
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          className="btn"
          disabled={!conn?.pageInfo.hasNextPage || list.loading}
          onClick={() => conn?.pageInfo.endCursor && setCursors((c) => [...c, conn.pageInfo.endCursor ?? null])}
        >
          Next →
        </button>
      </nav>
    </section>
  );
}
