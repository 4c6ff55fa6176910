import { describe, expect, it } from 'vitest';
import { canManageBrands, canReadAudit, workflowActions, type WorkflowSubject } from './permissions';

const draft: WorkflowSubject = { status: 'DRAFT', live: false, publishedRevision: null, author: 'ed@x', requireApproval: true };
const names = (xs: { action: string }[]) => xs.map((x) => x.action);

describe('workflowActions', () => {
  it('lets an editor submit a draft, and publish only without requireApproval', () => {
    expect(names(workflowActions({ role: 'EDITOR', email: 'ed@x' }, draft))).toEqual(['submit']);
    expect(names(workflowActions({ role: 'EDITOR', email: 'ed@x' }, { ...draft, requireApproval: false }))).toEqual(['submit', 'publish']);
  });

  it('bars approving one\'s own revision but allows rejecting it', () => {
    const actions = workflowActions({ role: 'REVIEWER', email: 'ed@x' }, { ...draft, status: 'IN_REVIEW' });
    expect(actions[0]).toEqual({ action: 'approve', disabledReason: expect.any(String) });
    expect(names(actions)).toEqual(['approve', 'reject', 'archive']);
  });

  it('lets a reviewer publish an approved variant and unpublish a published one', () => {
    const rev = { role: 'REVIEWER' as const, email: 'r@x' };
    expect(names(workflowActions(rev, { ...draft, status: 'APPROVED' }))).toEqual(['publish', 'archive']);
    expect(names(workflowActions(rev, { ...draft, status: 'PUBLISHED', live: true, publishedRevision: 'abc' }))).toEqual(['unpublish', 'archive']);
  });

  it('gives an auditor nothing to press', () => {
    expect(workflowActions({ role: 'AUDITOR', email: 'a@x' }, { ...draft, status: 'IN_REVIEW' })).toEqual([]);
  });
});

describe('page access', () => {
  it('opens the audit log to auditors and admins only', () => {
    expect(['ADMIN', 'AUDITOR', 'EDITOR', 'REVIEWER'].map((r) => canReadAudit(r as 'ADMIN'))).toEqual([true, true, false, false]);
  });

  it('keeps brand settings and webhooks for admins', () => {
    expect(['ADMIN', 'AUDITOR', 'EDITOR', 'REVIEWER'].map((r) => canManageBrands(r as 'ADMIN'))).toEqual([true, false, false, false]);
  });
});
