/** Creating an experiment on an entry, or editing a draft: arms and weights, audience, goal and mode. */
import { useMemo, useState, type FormEvent } from 'react';
import { CreateExperimentDocument, request, UpdateExperimentDocument, type ExperimentFieldsFragment } from '../../api';
import { serverRuleIssue, validateRule } from '../../rules';
import { InlineError } from '../../ui/ErrorBox';
import { RuleBuilder } from '../rules/RuleBuilder';
import type { Brand } from '../session/SessionContext';
import { ArmsFieldset } from './ArmsFieldset';
import { draftFromExperiment, draftProblems, emptyDraft, toInput, type ExperimentDraft } from './draft';
import { NO_ERRORS, placeExperimentError, type PlacedExperimentErrors } from './saveErrors';

interface Props {
  brand: Brand;
  entryId: string;
  variants: { id: string; name: string }[];
  /** The draft being edited; absent for a new experiment. */
  experiment?: ExperimentFieldsFragment;
  onSaved: (e: ExperimentFieldsFragment) => void;
  onCancel: () => void;
}

export function ExperimentForm({ brand, entryId, variants, experiment, onSaved, onCancel }: Props) {
  const [draft, setDraftState] = useState<ExperimentDraft>(() => (experiment ? draftFromExperiment(experiment) : emptyDraft(variants.map((v) => v.id))));
  const [errors, setErrors] = useState<PlacedExperimentErrors>(NO_ERRORS);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const local = draftProblems(draft);
  const ruleIssues = useMemo(() => validateRule(draft.audience), [draft.audience]);
  const problems = { ...(tried ? local : {}), ...errors.fields };
  const serverRule = errors.audience?.path ? serverRuleIssue(draft.audience, `rule: ${errors.audience.message}`, errors.audience.path) : null;
  const setDraft = (patch: Partial<ExperimentDraft>) => setDraftState((d) => ({ ...d, ...patch }));
  const id = (f: string) => `exp-${f}`;

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    setErrors(NO_ERRORS);
    if (Object.keys(local).length || ruleIssues.length) return;
    setBusy(true);
    try {
      const input = toInput(entryId, draft);
      const saved = experiment
        ? (await request(UpdateExperimentDocument, { id: experiment.id, expectedVersion: experiment.version, input })).updateExperiment
        : (await request(CreateExperimentDocument, { input })).createExperiment;
      onSaved(saved);
    } catch (err) {
      setErrors(placeExperimentError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card exp-form" onSubmit={save} noValidate aria-labelledby="exp-form-title">
      <h3 id="exp-form-title">{experiment ? `Edit “${experiment.name}”` : 'New experiment'}</h3>
      <div className="form-grid">
        <div className="field">
          <label htmlFor={id('name')}>Experiment name</label>
          <input id={id('name')} value={draft.name} disabled={busy} aria-invalid={!!problems.name} aria-describedby={problems.name ? id('name-err') : undefined}
            onChange={(e) => setDraft({ name: e.target.value })} />
          <InlineError id={id('name-err')} message={problems.name} />
        </div>
        <div className="field">
          <label htmlFor={id('hypothesis')}>Hypothesis (optional)</label>
          <input id={id('hypothesis')} value={draft.hypothesis} disabled={busy} placeholder="e.g. the winter hero gets more clicks"
            onChange={(e) => setDraft({ hypothesis: e.target.value })} />
          <InlineError message={problems.hypothesis} />
        </div>
      </div>
      <ArmsFieldset arms={draft.arms} onChange={(arms) => setDraft({ arms })} variants={variants} disabled={busy} problems={problems} />
      <fieldset>
        <legend>Audience</legend>
        <p className="muted">Who takes part. People outside it get what personalization picks and are not counted.</p>
        <RuleBuilder tree={draft.audience} onChange={(audience) => setDraft({ audience })} disabled={busy}
          issues={[...(tried ? ruleIssues : []), ...(serverRule ? [serverRule] : [])]}
          attributes={brand.policy.usageAttributes} serverError={errors.audience && !serverRule ? errors.audience.message : null} />
      </fieldset>
      <GoalAndMode draft={draft} setDraft={setDraft} disabled={busy} problem={problems.minPeoplePerArm} />
      <div className="actions wrap">
        {errors.general && <p className="field-error" role="alert">{errors.general}</p>}
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>Cancel</button>
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : experiment ? 'Save draft' : 'Create experiment'}</button>
      </div>
    </form>
  );
}

interface GoalAndModeProps {
  draft: ExperimentDraft;
  setDraft: (patch: Partial<ExperimentDraft>) => void;
  disabled: boolean;
  problem: string | undefined;
}

/** What counts as success, how traffic is split, and how many to wait for. */
function GoalAndMode({ draft, setDraft, disabled, problem }: GoalAndModeProps) {
  return (
    <div className="form-grid">
      <fieldset>
        <legend>Goal</legend>
        <label className="check"><input type="radio" name="exp-goal" checked={draft.goal === 'CLICK'} disabled={disabled} onChange={() => setDraft({ goal: 'CLICK' })} /> A click</label>
        <label className="check"><input type="radio" name="exp-goal" checked={draft.goal === 'CONVERSION'} disabled={disabled} onChange={() => setDraft({ goal: 'CONVERSION' })} /> A conversion</label>
      </fieldset>
      <fieldset>
        <legend>Mode</legend>
        <label className="check"><input type="radio" name="exp-mode" checked={draft.mode === 'FIXED'} disabled={disabled} onChange={() => setDraft({ mode: 'FIXED' })} /> Fixed split (each person keeps one arm; counts people)</label>
        <label className="check"><input type="radio" name="exp-mode" checked={draft.mode === 'BANDIT'} disabled={disabled} onChange={() => setDraft({ mode: 'BANDIT' })} /> Bandit (traffic moves to the better arm; counts answers)</label>
      </fieldset>
      <div className="field">
        <label htmlFor="exp-min">Minimum per arm before deciding</label>
        <input id="exp-min" type="number" min={1} step={1} placeholder="100" value={draft.minPeoplePerArm} disabled={disabled}
          aria-invalid={!!problem} aria-describedby={problem ? 'exp-min-err' : undefined}
          onChange={(e) => setDraft({ minPeoplePerArm: e.target.value })} />
        <InlineError id="exp-min-err" message={problem} />
      </div>
    </div>
  );
}
