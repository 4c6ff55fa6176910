import { useState } from 'react';
import {
  ApproveVariantDocument, ArchiveVariantDocument, describeError, PublishVariantDocument, RejectVariantDocument, request,
  SubmitVariantDocument, UnpublishVariantDocument, type VariantFullFragment,
} from '../../api';
import { shortHash } from '../../ui/format';
import { LiveBadge, StatusBadge } from '../../ui/StatusBadge';
import { workflowActions, type ActionAvailability, type WorkflowAction } from '../session/permissions';
import type { Brand, User } from '../session/SessionContext';

interface Props {
  variant: VariantFullFragment;
  user: User;
  brand: Brand;
  /** Unsaved edits: transitions wait until they are saved. */
  dirty: boolean;
  onChanged: (v: VariantFullFragment) => void;
}

const LABEL: Record<WorkflowAction, string> = {
  submit: 'Submit for review',
  approve: 'Approve',
  reject: 'Reject',
  publish: 'Publish',
  unpublish: 'Unpublish',
  archive: 'Archive',
};

const CONFIRM: Partial<Record<WorkflowAction, string>> = {
  unpublish: 'Stop serving this variant to audiences?',
  archive: 'Archive this variant? It will never be served again.',
};

async function perform(action: WorkflowAction, id: string, note: string): Promise<VariantFullFragment> {
  switch (action) {
    case 'submit': return (await request(SubmitVariantDocument, { id })).submitVariant;
    case 'approve': return (await request(ApproveVariantDocument, { id, note: note.trim() || null })).approveVariant;
    case 'reject': return (await request(RejectVariantDocument, { id, note: note.trim() })).rejectVariant;
    case 'publish': return (await request(PublishVariantDocument, { id })).publishVariant;
    case 'unpublish': return (await request(UnpublishVariantDocument, { id })).unpublishVariant;
    case 'archive': return (await request(ArchiveVariantDocument, { id })).archiveVariant;
  }
}

/** The buttons by intent: moving the revision forward, judging it, and taking it off the air (which asks first). */
function groupActions(actions: ActionAvailability[]): { name: string; actions: ActionAvailability[] }[] {
  const groups = [
    { name: 'Move forward', of: ['submit', 'publish'] },
    { name: 'Review decision', of: ['approve', 'reject'] },
    { name: 'Take off the air', of: ['unpublish', 'archive'] },
  ];
  return groups
    .map((g) => ({ name: g.name, actions: actions.filter((a) => g.of.includes(a.action)) }))
    .filter((g) => g.actions.length > 0);
}

/** Status, and the workflow buttons this person may press now, with a review note. */
export function WorkflowPanel({ variant, user, brand, dirty, onChanged }: Props) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<WorkflowAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const actions = workflowActions(user, {
    status: variant.status,
    live: variant.live,
    publishedRevision: variant.publishedRevision ?? null,
    author: variant.revisions[0]?.author ?? null,
    requireApproval: brand.policy.requireApproval,
    blocking: variant.quality.checks.find((c) => c.severity === 'ERROR')?.message ?? null,
  });
  const reviewing = actions.some((a) => a.action === 'approve' || a.action === 'reject');

  async function run(action: WorkflowAction) {
    setError(null);
    if (action === 'reject' && !note.trim()) return setError('Say why in the review note before rejecting.');
    const confirmText = CONFIRM[action];
    if (confirmText && !window.confirm(confirmText)) return;
    setBusy(action);
    try {
      onChanged(await perform(action, variant.id, note));
      setNote('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card" aria-labelledby="wf-title">
      <h2 id="wf-title">Workflow</h2>
      <p><StatusBadge status={variant.status} review={variant.brandReview} /> <LiveBadge onAir={variant.onAir} /></p>
      <dl className="meta">
        <dt>Revision</dt><dd><code>{shortHash(variant.revision)}</code></dd>
        <dt>Served revision</dt><dd><code>{shortHash(variant.publishedRevision)}</code>{variant.publishedRevision && variant.publishedRevision !== variant.revision && <span className="muted"> (older than this draft)</span>}</dd>
        <dt>Version</dt><dd>{variant.version}</dd>
      </dl>
      {variant.brandReview && (
        <div className="review-note">
          <strong>Review: {variant.brandReview.status.toLowerCase()}</strong>
          {variant.brandReview.reviewer && <span className="muted"> by {variant.brandReview.reviewer}</span>}
          {variant.brandReview.note && <p>“{variant.brandReview.note}”</p>}
        </div>
      )}
      {actions.length === 0 && <p className="muted">Nothing for you to do on this variant right now.</p>}
      {reviewing && (
        <div className="field">
          <label htmlFor="wf-note">Review note</label>
          <textarea id="wf-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="Required when rejecting" />
        </div>
      )}
      {dirty && actions.length > 0 && <p className="notice">Save your changes first.</p>}
      {groupActions(actions).map((group) => (
        <div key={group.name} className="actions wrap action-group" role="group" aria-label={group.name}>
          {group.actions.map(({ action, disabledReason }) => (
            <span key={action} className="action-with-reason">
              <button
                type="button"
                className={`btn ${action === 'publish' || action === 'approve' ? 'btn-primary' : action === 'archive' || action === 'reject' ? 'btn-danger' : ''}`}
                disabled={!!busy || dirty || !!disabledReason}
                aria-describedby={disabledReason ? `wf-why-${action}` : undefined}
                onClick={() => void run(action)}
              >
                {busy === action ? 'Working…' : LABEL[action]}
              </button>
              {disabledReason && <small id={`wf-why-${action}`} className="why-disabled">{disabledReason}</small>}
            </span>
          ))}
        </div>
      ))}
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
