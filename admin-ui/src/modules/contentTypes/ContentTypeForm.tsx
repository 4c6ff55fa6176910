import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  asApiError, CreateContentTypeModelDocument, describeError, request, UpdateContentTypeDocument, type ContentTypeModelFragment,
} from '../../api';
import { paths } from '../entries/paths';
import { FieldRow } from './FieldRow';
import { draftsFromFields, fieldProblems, newFieldDraft, removedFields, renamesOf, toFieldInputs, type FieldDraft } from './fieldDrafts';
import { modelRefusal, type ModelRefusal } from './refusal';

interface Props {
  brand: string;
  /** The type being edited; null creates a new one. */
  type: ContentTypeModelFragment | null;
  /** Names of the brand's content types, for reference targets. */
  typeNames: string[];
  onSaved: (t: ContentTypeModelFragment) => void;
  onCancel: () => void;
}

/** Creates a content type or changes one (`expectedVersion`: a concurrent edit is refused, not lost). */
export function ContentTypeForm({ brand, type, typeNames, onSaved, onCancel }: Props) {
  const [name, setName] = useState(type?.name ?? '');
  const [drafts, setDrafts] = useState<FieldDraft[]>(() => (type ? draftsFromFields(type.fields) : [newFieldDraft()]));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<ModelRefusal | null>(null);
  const [error, setError] = useState<string | null>(null);
  const problems = fieldProblems(name, drafts);
  const blocked = problems.type !== null || Object.keys(problems.rows).length > 0;
  const removed = type ? removedFields(type.fields, drafts) : [];
  const formName = type ? `Edit content type ${type.name}` : 'New content type';

  const update = (rowId: string, next: FieldDraft | null) =>
    setDrafts((ds) => (next ? ds.map((d) => (d.rowId === rowId ? next : d)) : ds.filter((d) => d.rowId !== rowId)));

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (blocked) return;
    setBusy(true);
    setRefusal(null);
    setError(null);
    try {
      const fields = toFieldInputs(drafts);
      const saved = type
        ? (await request(UpdateContentTypeDocument, {
            id: type.id,
            expectedVersion: type.version,
            input: { name: name.trim() === type.name ? null : name.trim(), fields, renames: renamesOf(drafts) },
          })).updateContentType
        : (await request(CreateContentTypeModelDocument, { input: { brand, name: name.trim(), fields } })).createContentType;
      onSaved(saved);
    } catch (err) {
      const api = asApiError(err);
      const refused = api.code === 'BAD_INPUT' ? modelRefusal(api.message) : null;
      if (refused) setRefusal(refused);
      else setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card ct-form" aria-label={formName} onSubmit={save} noValidate>
      <h2>{formName}</h2>
      <div className="field">
        <label htmlFor="ct-name">Content type name</label>
        <input id="ct-name" value={name} disabled={busy} onChange={(e) => setName(e.target.value)} aria-invalid={tried && problems.type ? true : undefined} />
      </div>
      {tried && problems.type && <p className="field-error" role="alert">{problems.type}</p>}
      <h3>Fields</h3>
      <ol className="ct-fields">
        {drafts.map((d, i) => (
          <FieldRow key={d.rowId} draft={d} position={i + 1} typeNames={typeNames} disabled={busy}
            problem={tried ? problems.rows[d.rowId] : undefined} onChange={(next) => update(d.rowId, next)} onRemove={() => update(d.rowId, null)} />
        ))}
      </ol>
      <div className="actions">
        <button type="button" className="btn" disabled={busy} onClick={() => setDrafts((ds) => [...ds, newFieldDraft()])}>Add field</button>
      </div>
      {removed.length > 0 && (
        <p className="muted">Removing {removed.map((n) => `“${n}”`).join(', ')}: new revisions will not have {removed.length === 1 ? 'this field' : 'these fields'}.</p>
      )}
      {refusal && <RefusalBox brand={brand} refusal={refusal} />}
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : type ? 'Save changes' : 'Create content type'}</button>
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** Why the change was refused: the variants it would break, each linked to its entry. */
function RefusalBox({ brand, refusal }: { brand: string; refusal: ModelRefusal }) {
  return (
    <div className="error-box" role="alert">
      <p><strong>Not saved.</strong> {refusal.summary}</p>
      <ul>
        {refusal.variants.map((v) => (
          <li key={`${v.entry}/${v.variant}`}>“{v.variant}” of <Link to={paths.entry(brand, v.entry)}>{v.entry}</Link>: {v.problem}</li>
        ))}
      </ul>
    </div>
  );
}
