import { useEffect, useRef } from 'react';
import { useQuery, VariantDiffDocument, type VariantFullFragment } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime, shortHash } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import type { Json } from '../../rules';
import { changeKind, changeToText, describePath, formatValue, isLong, NONE, pairFor, withRuleAsText, type CompareWith } from './diff';

export interface RevisionPair {
  from: string;
  to: string;
}

interface Props {
  variant: VariantFullFragment;
  pair: RevisionPair;
  onPairChange: (pair: RevisionPair) => void;
  onClose: () => void;
  /** Changes each time the person asks (again) from the revision list: the section comes into view. */
  request: number;
}

/** The field-level changes between two revisions of a variant, chosen from its history. */
export function RevisionDiff({ variant, pair, onPairChange, onClose, request }: Props) {
  const diff = useQuery(VariantDiffDocument, { id: variant.id, from: pair.from, to: pair.to }, { skip: pair.from === pair.to });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
    heading.current?.focus({ preventScroll: true });
  }, [request]);

  const label = (hash: string) => {
    const r = variant.revisions.find((x) => x.hash === hash);
    const i = variant.revisions.findIndex((x) => x.hash === hash);
    const tag = (i === 0 ? ' (latest)' : '') + (hash === variant.publishedRevision ? ' (live)' : '');
    return r ? `${shortHash(hash)}${tag} · ${formatDateTime(r.createdAt)} · ${r.author}` : shortHash(hash);
  };
  const ruleOf = (hash: string) => variant.revisions.find((r) => r.hash === hash)?.rule as Json | undefined;
  const raw = pair.from === pair.to ? [] : diff.data?.variant?.diff;
  const changes = raw && withRuleAsText(raw, ruleOf(pair.from), ruleOf(pair.to));
  const published = variant.publishedRevision ?? null;
  const liveOk = !!published && published !== pair.to;
  const against: CompareWith | null = liveOk && pair.from === published ? 'live' : null;
  const compareWith = (mode: CompareWith) => {
    const next = pairFor(variant.revisions, pair.to, published, mode);
    if (next) onPairChange(next);
  };

  return (
    <section className="card revision-diff" aria-labelledby="diff-title">
      <div className="page-head">
        <h2 id="diff-title" ref={heading} tabIndex={-1}>Changes between revisions</h2>
        <div className="actions">
          {changes && changes.length > 0 && navigator.clipboard && (
            <button type="button" className="btn btn-small" onClick={() => void navigator.clipboard.writeText(changes.map(changeToText).join('\n'))}>Copy as text</button>
          )}
          <button type="button" className="btn btn-small" onClick={onClose}>Close</button>
        </div>
      </div>
      <div className="actions compare-with" role="group" aria-label="Compare with">
        <span className="muted">Compare with:</span>
        <button type="button" className={`btn btn-small${against === 'live' ? ' btn-primary' : ''}`} aria-pressed={against === 'live'} disabled={!liveOk} onClick={() => compareWith('live')}>
          What is live
        </button>
        <button type="button" className="btn btn-small" aria-pressed={against !== 'live'} onClick={() => compareWith('previous')}>
          The previous revision
        </button>
      </div>
      <div className="inline-form diff-pick">
        <div className="field">
          <label htmlFor="diff-from">From (older)</label>
          <select id="diff-from" value={pair.from} onChange={(e) => onPairChange({ ...pair, from: e.target.value })}>
            {variant.revisions.map((r) => <option key={r.hash} value={r.hash}>{label(r.hash)}</option>)}
          </select>
        </div>
        <button type="button" className="btn btn-small" aria-label="Swap from and to" onClick={() => onPairChange({ from: pair.to, to: pair.from })}>⇄</button>
        <div className="field">
          <label htmlFor="diff-to">To (newer)</label>
          <select id="diff-to" value={pair.to} onChange={(e) => onPairChange({ ...pair, to: e.target.value })}>
            {variant.revisions.map((r) => <option key={r.hash} value={r.hash}>{label(r.hash)}</option>)}
          </select>
        </div>
      </div>
      {pair.from === pair.to && <p className="muted">Choose two different revisions.</p>}
      <ErrorBox error={diff.error} onRetry={diff.reload} title="Could not compare." />
      {diff.loading && !changes && <Loading what="Comparing" />}
      {changes && changes.length === 0 && <p className="empty">These revisions hold the same content.</p>}
      {changes && changes.length > 0 && (
        <table className="table diff-table" aria-label="Changed fields">
          <thead>
            <tr><th scope="col">Path</th><th scope="col">Before</th><th scope="col"><span className="sr-only">becomes</span></th><th scope="col">After</th></tr>
          </thead>
          <tbody>
            {changes.map((c) => {
              const long = isLong(c);
              const kind = changeKind(c);
              return (
                <tr key={c.path} className={`diff-${kind}${long ? ' diff-long' : ''}`}>
                  <th scope="row">
                    {c.path === 'rule' ? <strong>Audience rule</strong> : <code>{c.path}</code>}
                    <div className="muted diff-what">{c.path === 'rule' ? 'who gets this variant' : describePath(c.path)} · {kind}</div>
                  </th>
                  <td className="diff-old"><Value v={c.old} long={long} /></td>
                  <td className="diff-arrow" aria-hidden="true">→</td>
                  <td className="diff-new"><Value v={c.new} long={long} /></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Value({ v, long }: { v: unknown; long: boolean }) {
  const text = formatValue(v);
  if (text === NONE && (v === null || v === undefined)) return <span className="muted diff-none">{NONE}</span>;
  if (text === '') return <span className="muted">(empty text)</span>;
  return long ? <pre className="diff-text">{text}</pre> : <span className="diff-text">{text}</span>;
}
