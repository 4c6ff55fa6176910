import { describe, expect, it } from 'vitest';
import { filterParams, hasStatus } from './statusFilter';

const v = (status: 'DRAFT' | 'IN_REVIEW' | 'PUBLISHED', live = false, review: string | null = null) =>
  ({ status, onAir: { live }, brandReview: review ? { status: review } : null });

describe('the entries status filter', () => {
  it('tells changes requested from plain drafts', () => {
    expect(hasStatus([v('DRAFT', false, 'REJECTED')], 'CHANGES_REQUESTED')).toBe(true);
    expect(hasStatus([v('DRAFT', false, 'REJECTED')], 'DRAFT')).toBe(false);
    expect(hasStatus([v('DRAFT')], 'DRAFT')).toBe(true);
  });
  it('matches any variant, and live by what audiences get', () => {
    expect(hasStatus([v('DRAFT'), v('IN_REVIEW')], 'IN_REVIEW')).toBe(true);
    expect(hasStatus([v('PUBLISHED', false)], 'LIVE')).toBe(false);
    expect(hasStatus([v('PUBLISHED', true)], 'LIVE')).toBe(true);
  });
  it('drops empty parameters', () => {
    expect(filterParams({ type: '', status: 'DRAFT' })).toEqual({ status: 'DRAFT' });
  });
});
