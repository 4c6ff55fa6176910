/**
 * Who may do what with an experiment, and which of start, stop and conclude the state allows.
 * The server enforces the same rules (the contract's "Experiments": editors, reviewers and admins
 * create and run experiments; where the brand requires approval, editors may not start or conclude;
 * auditors only read); this only hides or disables what a person could not do, saying why.
 */
import type { ExperimentStatus, Role } from '../../api';

export type ExperimentAction = 'start' | 'stop' | 'conclude';

export interface ExperimentActionState {
  action: ExperimentAction;
  /** Set when the action is shown but cannot be done now, in words. */
  disabledReason?: string;
}

/** Creating and editing drafts: everyone but auditors. */
export const canEditExperiments = (role: Role) => role === 'ADMIN' || role === 'EDITOR' || role === 'REVIEWER';

const STATE_WORDS: Record<ExperimentStatus, string> = {
  DRAFT: 'a draft',
  RUNNING: 'running',
  STOPPED: 'stopped',
  CONCLUDED: 'concluded',
};

export interface ActionSubject {
  status: ExperimentStatus;
  /** Whether another experiment of the same entry is running (only one may run at a time). */
  otherRunning: boolean;
  requireApproval: boolean;
}

/** The buttons to show for `role`, in display order, each disabled with its reason when barred. */
export function experimentActions(role: Role, s: ActionSubject): ExperimentActionState[] {
  if (!canEditExperiments(role)) return [];
  const editorBarred = role === 'EDITOR' && s.requireApproval;
  const now = `This experiment is ${STATE_WORDS[s.status]}`;
  const bar = (action: ExperimentAction, reason: string | null): ExperimentActionState => (reason ? { action, disabledReason: reason } : { action });
  const approval = (verb: string) => `This brand requires approval: only a reviewer or an admin may ${verb} an experiment.`;

  const start =
    s.status !== 'DRAFT' ? `${now}; only a draft can be started.`
    : s.otherRunning ? 'Another experiment on this entry is running: stop or conclude it first.'
    : editorBarred ? approval('start')
    : null;
  const stop = s.status !== 'RUNNING' ? `${now}; only a running experiment can be stopped.` : null;
  const conclude =
    s.status !== 'RUNNING' && s.status !== 'STOPPED' ? `${now}; only a running or stopped experiment can be concluded.`
    : editorBarred ? approval('conclude')
    : null;
  return [bar('start', start), bar('stop', stop), bar('conclude', conclude)];
}

export const STATUS_LABEL: Record<ExperimentStatus, string> = {
  DRAFT: 'Draft',
  RUNNING: 'Running',
  STOPPED: 'Stopped',
  CONCLUDED: 'Concluded',
};
