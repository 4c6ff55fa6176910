import { AuditVerificationDocument, useQuery } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';

/** The result of `vary audit verify`, computed by the server when the page opens (and on request). */
export function ChainStatus() {
  const q = useQuery(AuditVerificationDocument, {});
  const v = q.data?.auditVerification;
  return (
    <div className="chain-status" aria-live="polite">
      {q.loading && !v && <span className="muted">Checking the audit chain…</span>}
      {v && v.intact && <span className="badge badge-live">✓ Chain intact</span>}
      {v && v.intact && <span className="muted"> every row’s hash covers the row before it (as <code>vary audit verify</code> checks).</span>}
      {v && !v.intact && (
        <span className="field-error" role="alert">
          The audit chain is broken at row {v.firstBrokenSeq}: that row or the one before it was changed or removed. Report this to your security contact.
        </span>
      )}
      {v && <button type="button" className="link-btn" onClick={() => void q.reload()}>Check again</button>}
      <ErrorBox error={q.error} onRetry={q.reload} />
    </div>
  );
}
