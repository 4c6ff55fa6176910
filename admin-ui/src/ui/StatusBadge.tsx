import type { VariantStatus } from '../api';

const LABEL: Record<VariantStatus, string> = {
  DRAFT: 'Draft',
  IN_REVIEW: 'In review',
  APPROVED: 'Approved',
  PUBLISHED: 'Published',
  ARCHIVED: 'Archived',
};

export function StatusBadge({ status }: { status: VariantStatus }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{LABEL[status] ?? status}</span>;
}

export function LiveBadge({ live }: { live: boolean }) {
  return live ? <span className="badge badge-live" title="Served to audiences now">● Live</span> : <span className="badge badge-muted">Not live</span>;
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
