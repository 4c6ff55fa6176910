/** The entries list's status filter: an entry shows when one of its variants is in the chosen state. */
import type { VariantStatus } from '../../api';

export type StatusFilter = VariantStatus | 'CHANGES_REQUESTED' | 'LIVE';

export const STATUS_FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'DRAFT', label: 'Draft' },
  { value: 'CHANGES_REQUESTED', label: 'Changes requested' },
  { value: 'IN_REVIEW', label: 'In review' },
  { value: 'APPROVED', label: 'Approved' },
  { value: 'PUBLISHED', label: 'Published' },
  { value: 'LIVE', label: 'Live' },
  { value: 'ARCHIVED', label: 'Archived' },
];

interface VariantLike {
  status: VariantStatus;
  onAir: { live: boolean };
  brandReview?: { status: string } | null;
}

/** Whether one of `variants` is in the state `filter` names. */
export function hasStatus(variants: VariantLike[], filter: StatusFilter): boolean {
  return variants.some((v) => {
    const rejected = v.status === 'DRAFT' && v.brandReview?.status === 'REJECTED';
    switch (filter) {
      case 'LIVE': return v.onAir.live;
      case 'CHANGES_REQUESTED': return rejected;
      case 'DRAFT': return v.status === 'DRAFT' && !rejected;
      default: return v.status === filter;
    }
  });
}

/** Whether the filter is one of the API's statuses (the search can filter by it). */
export function isVariantStatus(f: string): f is VariantStatus {
  return ['DRAFT', 'IN_REVIEW', 'APPROVED', 'PUBLISHED', 'ARCHIVED'].includes(f);
}

/** The list's search parameters without the empty ones. */
export function filterParams(p: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v));
}
