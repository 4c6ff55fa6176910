import { useState } from 'react';
import { describeError, request, RollbackVariantDocument, type VariantFullFragment } from '../../api';
import { formatDateTime, shortHash } from '../../ui/format';
import { StatusBadge } from '../../ui/StatusBadge';
import { pairFor } from './diff';

interface Props {
  variant: VariantFullFragment;
  /** Editors and admins may restore an old revision (as a new draft). */
  canRestore: boolean;
  /** Unsaved edits: restoring waits until they are saved. */
  dirty: boolean;
  onChanged: (v: VariantFullFragment) => void;
  /** Shows what changed from `from` to `to`. */
  onCompare: (pair: { from: string; to: string }) => void;
  /** The revision whose changes are shown, if any. */
  comparing?: string | null;
}

export function RevisionsPanel({ variant, canRestore, dirty, onChanged, onCompare, comparing }: Props) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function restore(hash: string) {
    if (!window.confirm(`Make a new draft with the content of revision ${shortHash(hash)}?`)) return;
    setBusy(hash);
    setError(null);
    try {
      const res = await request(RollbackVariantDocument, { id: variant.id, revision: hash, expectedVersion: variant.version });
      onChanged(res.rollbackVariant);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="rev-title">
      <h2 id="rev-title">Revisions</h2>
      {variant.revisions.length === 0 && <p className="muted">No revisions yet.</p>}
      <ol className="revisions">
        {variant.revisions.map((r, i) => (
          <li key={r.hash} className={comparing === r.hash ? 'revision-current' : undefined}>
            <code>{shortHash(r.hash)}</code> <StatusBadge status={r.status} />
            {r.hash === variant.publishedRevision && <span className="badge badge-live">served</span>}
            <div className="muted">{formatDateTime(r.createdAt)} · {r.author}</div>
            {(i + 1 < variant.revisions.length || (variant.publishedRevision && variant.publishedRevision !== r.hash)) && (
              <button
                type="button"
                className="link-btn"
                aria-label={`Show changes in ${shortHash(r.hash)}`}
                onClick={() => {
                  const pair = pairFor(variant.revisions, r.hash, variant.publishedRevision);
                  if (pair) onCompare(pair);
                }}
              >
                Show changes
              </button>
            )}{' '}
            {canRestore && i > 0 && (
              <button type="button" className="link-btn" disabled={!!busy || dirty} onClick={() => void restore(r.hash)}>
                {busy === r.hash ? 'Restoring…' : 'Restore as new draft'}
              </button>
            )}
          </li>
        ))}
      </ol>
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
