/** The arms of an experiment being edited: name, what each serves, its weight, and the live sum. */
import { InlineError } from '../../ui/ErrorBox';
import { holdoutArms, newArm, RANKED, weightSum, type ArmDraft } from './draft';

interface Props {
  arms: ArmDraft[];
  onChange: (arms: ArmDraft[]) => void;
  variants: { id: string; name: string }[];
  disabled: boolean;
  /** Problems keyed `arms` and `arm:INDEX`. */
  problems: Record<string, string>;
}

export function ArmsFieldset({ arms, onChange, variants, disabled, problems }: Props) {
  const sum = weightSum(arms);
  const set = (key: number, patch: Partial<ArmDraft>) => onChange(arms.map((a) => (a.key === key ? { ...a, ...patch } : a)));
  const addArm = () => onChange([...arms, newArm(`arm ${arms.length + 1}`, variants[0]?.id ?? RANKED, 0)]);
  return (
    <fieldset className="exp-arms">
      <legend>Arms</legend>
      <p className="muted">The first arm is the control. An arm serves one variant of this entry, or what personalization would pick.</p>
      {arms.map((arm, i) => {
        const errId = `exp-arm-${arm.key}-err`;
        const problem = problems[`arm:${i}`];
        return (
          <div className="exp-arm" key={arm.key}>
            <div className="field">
              <label htmlFor={`exp-arm-${arm.key}-name`}>Arm {i + 1} name{i === 0 ? ' (control)' : ''}</label>
              <input id={`exp-arm-${arm.key}-name`} value={arm.name} disabled={disabled} aria-invalid={!!problem} aria-describedby={problem ? errId : undefined}
                onChange={(e) => set(arm.key, { name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor={`exp-arm-${arm.key}-serves`}>Arm {i + 1} serves</label>
              <select id={`exp-arm-${arm.key}-serves`} value={arm.target} disabled={disabled} onChange={(e) => set(arm.key, { target: e.target.value })}>
                {arm.target === '' && <option value="">Choose…</option>}
                {variants.map((v) => <option key={v.id} value={v.id}>Variant “{v.name}”</option>)}
                <option value={RANKED}>What personalization picks (ranked)</option>
              </select>
            </div>
            <div className="field exp-weight">
              <label htmlFor={`exp-arm-${arm.key}-weight`}>Arm {i + 1} weight (%)</label>
              <input id={`exp-arm-${arm.key}-weight`} type="number" inputMode="numeric" min={0} max={100} step={1} value={arm.weight} disabled={disabled}
                onChange={(e) => set(arm.key, { weight: e.target.value })} />
            </div>
            <button type="button" className="icon-btn" aria-label={`Remove arm ${i + 1}`} disabled={disabled || arms.length <= 2}
              onClick={() => onChange(arms.filter((a) => a.key !== arm.key))}>×</button>
            <InlineError id={errId} message={problem} />
          </div>
        );
      })}
      <p className={sum.ok ? 'exp-sum' : 'exp-sum field-error'} aria-live="polite" id="exp-weight-sum">{sum.words}</p>
      <InlineError message={problems.arms === sum.words ? null : problems.arms} />
      <div className="actions">
        <button type="button" className="btn btn-small" disabled={disabled} onClick={addArm}>+ Arm</button>
        {variants.length > 0 && (
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => onChange(holdoutArms(arms[0]?.target && arms[0].target !== RANKED ? arms[0].target : variants[0].id))}>
            Make it a holdout (10 % get the control's variant)
          </button>
        )}
      </div>
    </fieldset>
  );
}
