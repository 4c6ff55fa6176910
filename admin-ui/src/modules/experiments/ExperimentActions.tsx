/** Start, stop and conclude one experiment: each button disabled with its reason when barred. */
import { useState } from 'react';
import {
  ConcludeExperimentDocument, describeError, request, StartExperimentDocument, StopExperimentDocument, type ExperimentFieldsFragment,
} from '../../api';
import { useSession } from '../session/SessionContext';
import { experimentActions, type ExperimentAction } from './actions';
import { armLabel } from './format';

interface Props {
  experiment: ExperimentFieldsFragment;
  requireApproval: boolean;
  otherRunning: boolean;
  onChanged: (e: ExperimentFieldsFragment) => void;
}

const LABEL: Record<ExperimentAction, string> = { start: 'Start', stop: 'Stop', conclude: 'Conclude' };

export function ExperimentActions({ experiment, requireApproval, otherRunning, onChanged }: Props) {
  const { user } = useSession();
  const [busy, setBusy] = useState<ExperimentAction | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [winner, setWinner] = useState('');
  const actions = experimentActions(user.role, { status: experiment.status, otherRunning, requireApproval });
  if (!actions.length) return null;
  const idFor = (a: string) => `exp-${experiment.id}-${a}`;

  async function run(action: ExperimentAction) {
    setBusy(action);
    setError(null);
    try {
      const id = experiment.id;
      if (action === 'start') onChanged((await request(StartExperimentDocument, { id })).startExperiment);
      if (action === 'stop') onChanged((await request(StopExperimentDocument, { id })).stopExperiment);
      if (action === 'conclude') onChanged((await request(ConcludeExperimentDocument, { id, winner })).concludeExperiment);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="exp-actions" role="group" aria-label={`Run “${experiment.name}”`}>
      {actions.map(({ action, disabledReason }) => {
        const needsWinner = action === 'conclude' && !disabledReason;
        return (
          <div key={action} className="exp-action">
            {needsWinner && (
              <>
                <label htmlFor={idFor('winner')}>Winning arm</label>
                <select id={idFor('winner')} value={winner} onChange={(e) => setWinner(e.target.value)} disabled={!!busy}>
                  <option value="">Choose the winner…</option>
                  {experiment.arms.map((a, i) => <option key={a.id} value={a.id}>{armLabel(a, i)}</option>)}
                </select>
              </>
            )}
            <button type="button" className={action === 'stop' ? 'btn' : 'btn btn-primary'} disabled={!!busy || !!disabledReason || (needsWinner && !winner)}
              aria-describedby={disabledReason ? idFor(`why-${action}`) : needsWinner && !winner ? idFor('why-winner') : undefined}
              onClick={() => void run(action)}>
              {busy === action ? `${LABEL[action]}…` : LABEL[action]}
            </button>
            {disabledReason && <small id={idFor(`why-${action}`)} className="why-disabled">{disabledReason}</small>}
            {needsWinner && !winner && <small id={idFor('why-winner')} className="why-disabled">Choose the winning arm first. After concluding, the entry is served by ranking again.</small>}
          </div>
        );
      })}
      {error ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
    </div>
  );
}
