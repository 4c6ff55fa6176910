import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { ContentTypeModelsDocument, DeleteContentTypeDocument, request, useQuery, type ContentTypeModelFragment } from '../../api';
import { DeleteButton } from '../../ui/DeleteButton';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { canManageBrands } from '../session/permissions';
import { useSession } from '../session/SessionContext';
import { ContentTypeForm } from './ContentTypeForm';
import { describeField } from './fieldDrafts';

/** A brand's content types: their fields, and (admins) the builder to create, change and delete them. */
export function ContentTypesPage() {
  const { brand = '' } = useParams();
  const { user } = useSession();
  const q = useQuery(ContentTypeModelsDocument, { brand });
  const [editing, setEditing] = useState<ContentTypeModelFragment | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** Types as this page saved them: shown (and edited) until the reloaded list has them too. */
  const [justSaved, setJustSaved] = useState<Record<string, ContentTypeModelFragment>>({});
  const admin = canManageBrands(user.role);
  const types = newest(q.data?.contentTypes ?? [], justSaved);
  const typeNames = types.map((t) => t.name);

  function saved(t: ContentTypeModelFragment) {
    setJustSaved((s) => ({ ...s, [t.id]: t }));
    setNotice(`Saved “${t.name}” (version ${t.version}).`);
    setEditing(null);
    void q.reload();
  }

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>Content types</h1>
          <p className="muted">The fields every entry of a type has. Changing a type keeps stored revisions; renamed fields read under their new name.</p>
        </div>
        {admin && editing === null && (
          <button type="button" className="btn btn-primary" onClick={() => { setNotice(null); setEditing('new'); }}>New content type</button>
        )}
      </div>
      {notice && <p role="status" className="notice">{notice}</p>}
      {editing !== null && (
        <ContentTypeForm key={editing === 'new' ? 'new' : `${editing.id}@${editing.version}`} brand={brand}
          type={editing === 'new' ? null : editing} typeNames={typeNames} onSaved={saved} onCancel={() => setEditing(null)} />
      )}
      <ErrorBox error={q.error} onRetry={q.reload} />
      {q.loading && !q.data && <Loading what="Loading content types" />}
      {q.data && types.length === 0 && <p className="empty">This brand has no content types yet.</p>}
      {types.map((t) => (
        <article key={t.id} className="card" aria-labelledby={`ct-${t.id}`}>
          <div className="page-head">
            <h2 id={`ct-${t.id}`}>{t.name} <span className="badge badge-muted">version {t.version}</span></h2>
            {admin && (
              <div className="actions wrap">
                <button type="button" className="btn btn-small" onClick={() => { setNotice(null); setEditing(t); }}>Edit {t.name}</button>
                <DeleteButton what={`the content type “${t.name}”`} label={`Delete ${t.name}`}
                  confirm={`Delete the content type “${t.name}”? This cannot be undone here.`}
                  onDelete={() => request(DeleteContentTypeDocument, { id: t.id })}
                  onDeleted={() => { setNotice(`Deleted “${t.name}”.`); if (editing !== 'new' && editing?.id === t.id) setEditing(null); void q.reload(); }} />
              </div>
            )}
          </div>
          <table className="table">
            <thead><tr><th scope="col">Field</th><th scope="col">Kind</th></tr></thead>
            <tbody>
              {t.fields.map((f) => (
                <tr key={f.name}><td className="mono">{f.name}</td><td>{describeField(f)}</td></tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}

/**
 * The loaded types, each replaced by the version this page just saved while the list is older:
 * "Edit" right after a save must start from the saved version, not the one before (whose
 * `expectedVersion` would be refused as a concurrent change).
 */
function newest(loaded: ContentTypeModelFragment[], saved: Record<string, ContentTypeModelFragment>) {
  return loaded.map((t) => {
    const mine = saved[t.id];
    return mine && mine.version > t.version ? mine : t;
  });
}
