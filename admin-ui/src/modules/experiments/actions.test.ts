import { describe, expect, it } from 'vitest';
import { experimentActions, type ActionSubject } from './actions';

const draft: ActionSubject = { status: 'DRAFT', otherRunning: false, requireApproval: false };
const enabled = (xs: { action: string; disabledReason?: string }[]) => xs.filter((x) => !x.disabledReason).map((x) => x.action);

describe('experimentActions', () => {
  it('lets a draft start, a running one stop or conclude, a stopped one conclude', () => {
    expect(enabled(experimentActions('EDITOR', draft))).toEqual(['start']);
    expect(enabled(experimentActions('EDITOR', { ...draft, status: 'RUNNING' }))).toEqual(['stop', 'conclude']);
    expect(enabled(experimentActions('REVIEWER', { ...draft, status: 'STOPPED' }))).toEqual(['conclude']);
    expect(enabled(experimentActions('ADMIN', { ...draft, status: 'CONCLUDED' }))).toEqual([]);
  });

  it('says why a button is disabled', () => {
    const [start, stop] = experimentActions('ADMIN', { ...draft, status: 'CONCLUDED' });
    expect(start.disabledReason).toBe('This experiment is concluded; only a draft can be started.');
    expect(stop.disabledReason).toBe('This experiment is concluded; only a running experiment can be stopped.');
    expect(experimentActions('ADMIN', { ...draft, otherRunning: true })[0].disabledReason).toBe('Another experiment on this entry is running: stop or conclude it first.');
  });

  it('bars editors from starting and concluding where the brand requires approval, not from stopping', () => {
    const running = experimentActions('EDITOR', { ...draft, status: 'RUNNING', requireApproval: true });
    expect(enabled(running)).toEqual(['stop']);
    expect(running[2].disabledReason).toContain('only a reviewer or an admin may conclude');
    expect(enabled(experimentActions('EDITOR', { ...draft, requireApproval: true }))).toEqual([]);
    expect(enabled(experimentActions('REVIEWER', { ...draft, requireApproval: true }))).toEqual(['start']);
  });

  it('gives an auditor nothing to press', () => {
    expect(experimentActions('AUDITOR', { ...draft, status: 'RUNNING' })).toEqual([]);
  });
});
