import type { FieldKind } from '../../api';
import { FIELD_KINDS, limitApplies, type FieldDraft } from './fieldDrafts';

interface Props {
  draft: FieldDraft;
  position: number;
  /** Names of the brand's content types a REFERENCE may point to. */
  typeNames: string[];
  problem: string | undefined;
  disabled: boolean;
  onChange: (next: FieldDraft) => void;
  onRemove: () => void;
}

/** One field of the content-type builder: name, kind, required, list, limit, reference targets. */
export function FieldRow({ draft, position, typeNames, problem, disabled, onChange, onRemove }: Props) {
  const id = `ct-field-${draft.rowId}`;
  const set = (patch: Partial<FieldDraft>) => onChange({ ...draft, ...patch });
  const renamed = draft.savedName !== null && draft.savedName !== draft.name.trim() && draft.name.trim() !== '';
  const toggleTarget = (name: string, on: boolean) =>
    set({ to: on ? [...draft.to, name] : draft.to.filter((t) => t !== name) });

  return (
    <li className="card ct-field" aria-label={`Field ${position}`}>
      <div className="inline-form">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name of field {position}</label>
          <input id={`${id}-name`} value={draft.name} disabled={disabled} aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind of field {position}</label>
          <select id={`${id}-kind`} value={draft.kind} disabled={disabled} onChange={(e) => set({ kind: e.target.value as FieldKind })}>
            {FIELD_KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
          </select>
        </div>
        {limitApplies(draft) && <div className="field">
          <label htmlFor={`${id}-max`}>{draft.list ? 'Most items' : 'Longest text'} (optional)</label>
          <input id={`${id}-max`} className="number-small" type="number" min={1} step={1} value={draft.maxLength} disabled={disabled}
            onChange={(e) => set({ maxLength: e.target.value })} />
        </div>}
        <label className="check">
          <input type="checkbox" checked={draft.required} disabled={disabled} onChange={(e) => set({ required: e.target.checked })} />
          Required
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.list} disabled={disabled} onChange={(e) => set({ list: e.target.checked })} />
          List
        </label>
        <button type="button" className="btn btn-small btn-danger" disabled={disabled} onClick={onRemove}>
          Remove field {draft.name.trim() || position}
        </button>
      </div>
      {draft.kind === 'REFERENCE' && (
        <fieldset className="ct-targets">
          <legend>Field {position} may point to (none ticked: any content type)</legend>
          {typeNames.length === 0 && <p className="muted">This brand has no other content types yet.</p>}
          {typeNames.map((name) => (
            <label key={name} className="check">
              <input type="checkbox" checked={draft.to.includes(name)} disabled={disabled} onChange={(e) => toggleTarget(name, e.target.checked)} />
              {name}
            </label>
          ))}
        </fieldset>
      )}
      {renamed && (
        <p className="muted">Renamed from “{draft.savedName}”: stored values read under the new name everywhere.</p>
      )}
      {problem && <p className="field-error" id={`${id}-problem`} role="alert">{problem}</p>}
    </li>
  );
}
