import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import { SearchVariantsDocument, useQuery, type VariantStatus } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { StatusBadge } from '../../ui/StatusBadge';
import { paths } from './paths';

/** A snippet with the server's <b>…</b> marks as bold text (never as HTML). */
export function Highlight({ text }: { text: string }) {
  const parts = text.split(/<\/?b>/);
  return <>{parts.map((p, i) => (i % 2 === 1 ? <b key={i}>{p}</b> : <Fragment key={i}>{p}</Fragment>))}</>;
}

/** Full-text search over the brand's variants (`search`), with a tag filter from its facets. */
export function EntrySearch({ brand, status }: { brand: string; status: VariantStatus | null }) {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [tag, setTag] = useState('');
  const q = useQuery(SearchVariantsDocument, { query, brand, tags: tag ? [tag] : null, status }, { skip: !query.trim() });
  const result = query.trim() ? q.data?.search : undefined;
  return (
    <div className="entry-search">
      <form className="toolbar" role="search" aria-label="Search content" onSubmit={(e) => { e.preventDefault(); setQuery(text); }}>
        <label htmlFor="entry-search">Search</label>
        <input id="entry-search" type="search" value={text} placeholder="Words in titles, text, names" onChange={(e) => { setText(e.target.value); if (!e.target.value) setQuery(''); }} />
        <button type="submit" className="btn btn-small">Search</button>
        {result && result.facets.tags.length > 0 && (
          <>
            <label htmlFor="tag-filter">Tag</label>
            <select id="tag-filter" value={tag} onChange={(e) => setTag(e.target.value)}>
              <option value="">Any tag</option>
              {result.facets.tags.map((t) => <option key={t.value} value={t.value}>{t.value} ({t.count})</option>)}
            </select>
          </>
        )}
      </form>
      <ErrorBox error={query ? q.error : null} onRetry={q.reload} />
      {result && (
        <section aria-label="Search results" className="card">
          <p className="muted">{result.total === 1 ? '1 variant matches' : `${result.total} variants match`} “{query}”.</p>
          <ul className="search-hits">
            {result.hits.map((h) => (
              <li key={h.variant.id}>
                <Link to={paths.variant(brand, h.variant.entry.key, h.variant.id)}>{h.variant.entry.key} · {h.variant.name}</Link>{' '}
                <StatusBadge status={h.variant.status} review={h.variant.brandReview} />
                {h.highlights.slice(0, 2).map((s, i) => <div key={i} className="muted"><Highlight text={s} /></div>)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
