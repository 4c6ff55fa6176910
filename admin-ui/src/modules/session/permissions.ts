/**
 * What each role may do in the UI. The server enforces the same rules; this
 * only hides buttons a person could not use.
 */
import type { Role, VariantStatus } from '../../api';

export interface Actor {
  role: Role;
  email: string;
}

export const canManageUsers = (role: Role) => role === 'ADMIN';
/** The audit log and its report: auditors and admins. */
export const canReadAudit = (role: Role) => role === 'ADMIN' || role === 'AUDITOR';
/** Brand settings and webhooks: admins only. */
export const canManageBrands = (role: Role) => role === 'ADMIN';
export const canEdit = (role: Role) => role === 'ADMIN' || role === 'EDITOR';
export const canReview = (role: Role) => role === 'ADMIN' || role === 'REVIEWER';

export type WorkflowAction = 'submit' | 'approve' | 'reject' | 'publish' | 'unpublish' | 'archive';

export interface WorkflowSubject {
  status: VariantStatus;
  live: boolean;
  publishedRevision: string | null;
  /** Email of the author of the latest revision, when known. */
  author: string | null;
  requireApproval: boolean;
  /** The first blocking (ERROR) quality check of the latest revision, in words; submitting, approving and publishing wait for it. */
  blocking?: string | null;
}

export interface ActionAvailability {
  action: WorkflowAction;
  /** Set when the action exists for this role and state but is barred. */
  disabledReason?: string;
}

/** The workflow buttons to show for this actor and variant, in display order. */
export function workflowActions(actor: Actor, v: WorkflowSubject): ActionAvailability[] {
  const out: ActionAvailability[] = [];
  const editor = canEdit(actor.role);
  const reviewer = canReview(actor.role);
  const blocked = (verb: string) => (v.blocking ? `Cannot ${verb} yet: ${v.blocking}. Fix it and save first.` : undefined);
  const gated = (action: WorkflowAction, verb: string): ActionAvailability => {
    const reason = blocked(verb);
    return reason ? { action, disabledReason: reason } : { action };
  };
  if (editor && v.status === 'DRAFT') out.push(gated('submit', 'submit'));
  if (reviewer && v.status === 'IN_REVIEW') {
    const own = v.author !== null && v.author === actor.email;
    out.push(own ? { action: 'approve', disabledReason: 'You wrote this revision: someone else must approve it.' } : gated('approve', 'approve'));
    out.push({ action: 'reject' });
  }
  const publishable = v.status === 'APPROVED' || (v.status === 'DRAFT' && !v.requireApproval);
  const mayPublish = reviewer || (actor.role === 'EDITOR' && !v.requireApproval);
  if (mayPublish && publishable) out.push(gated('publish', 'publish'));
  if (reviewer && v.publishedRevision && v.status !== 'ARCHIVED') out.push({ action: 'unpublish' });
  if (reviewer && v.status !== 'ARCHIVED') out.push({ action: 'archive' });
  return out;
}
