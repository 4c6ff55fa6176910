import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { CreateEntryDocument, describeError, useMutation, type ContentTypesQuery } from '../../api';
import { paths } from './paths';

interface Props {
  brand: string;
  types: ContentTypesQuery['contentTypes'];
  onCancel: () => void;
}

export function NewEntryForm({ brand, types, onCancel }: Props) {
  const navigate = useNavigate();
  const create = useMutation(CreateEntryDocument);
  const [key, setKey] = useState('');
  const [contentType, setContentType] = useState(types[0]?.name ?? '');
  const [description, setDescription] = useState('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await create.run({ input: { brand, key: key.trim(), contentType, description: description.trim() || null } });
    if (res) navigate(paths.entry(brand, res.createEntry.key));
  }

  return (
    <form className="card form-grid" onSubmit={submit} aria-label="New entry">
      <div className="field">
        <label htmlFor="ne-key">Key</label>
        <input id="ne-key" required value={key} onChange={(e) => setKey(e.target.value)} placeholder="home.hero" aria-describedby="ne-key-help" />
        <small id="ne-key-help" className="muted">Apps ask for content by this key. Unique within the brand.</small>
      </div>
      <div className="field">
        <label htmlFor="ne-type">Content type</label>
        <select id="ne-type" required value={contentType} onChange={(e) => setContentType(e.target.value)}>
          {types.length === 0 && <option value="">No content types in this brand</option>}
          {types.map((t) => (
            <option key={t.id} value={t.name}>{t.name}</option>
          ))}
        </select>
      </div>
      <div className="field field-wide">
        <label htmlFor="ne-desc">Description (optional)</label>
        <input id="ne-desc" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      {create.error != null && <p className="field-error field-wide" role="alert">{describeError(create.error)}</p>}
      <div className="actions field-wide">
        <button className="btn btn-primary" type="submit" disabled={create.busy || !contentType}>
          {create.busy ? 'Creating…' : 'Create entry'}
        </button>
        <button className="btn" type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
