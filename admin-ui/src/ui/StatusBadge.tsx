import type { VariantStatus } from '../api';

const LABEL: Record<VariantStatus, string> = {
  DRAFT: 'Draft',
  IN_REVIEW: 'In review',
  APPROVED: 'Approved',
  PUBLISHED: 'Published',
  ARCHIVED: 'Archived',
};

interface ReviewLike {
  status: string;
  note?: string | null;
}

/** Whether a draft came back from review with changes requested (rejected). */
export function changesRequested(status: VariantStatus, review?: ReviewLike | null): boolean {
  return status === 'DRAFT' && review?.status === 'REJECTED';
}

/** The state in words; a rejected draft reads "Changes requested", with the reviewer's note when `withNote`. */
export function StatusBadge({ status, review, withNote }: { status: VariantStatus; review?: ReviewLike | null; withNote?: boolean }) {
  if (changesRequested(status, review)) {
    return (
      <>
        <span className="badge badge-rejected" title={review?.note ?? undefined}>Changes requested</span>
        {withNote && review?.note && <span className="status-note"> “{review.note}”</span>}
      </>
    );
  }
  return <span className={`badge badge-${status.toLowerCase()}`}>{LABEL[status] ?? status}</span>;
}

/** "Live" means some audience gets the variant now; otherwise why not (below the brand minimum, shadowed, schedule). */
export function LiveBadge({ onAir }: { onAir: { live: boolean; reason?: string | null } }) {
  if (onAir.live) return <span className="badge badge-live" title="Some audience gets this variant now">● Live</span>;
  const why = onAir.reason && onAir.reason !== 'not published' ? onAir.reason : null;
  return (
    <>
      <span className="badge badge-muted">Not live</span>
      {why && <span className="not-live-reason"> {why}</span>}
    </>
  );
}

export function QualityScore({ score }: { score: number }) {
  const pct = Math.round(score <= 1 ? score * 100 : score);
  const tone = pct >= 80 ? 'good' : pct >= 50 ? 'fair' : 'poor';
  return (
    <span className={`quality quality-${tone}`} title="Quality score">
      {pct}
    </span>
  );
}
