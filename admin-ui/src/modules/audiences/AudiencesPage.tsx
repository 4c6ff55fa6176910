import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { AudiencesDocument, DeleteAudienceDocument, request, useQuery, type AudienceFullFragment } from '../../api';
import { DeleteButton } from '../../ui/DeleteButton';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { paths } from '../entries/paths';
import { canEdit } from '../session/permissions';
import { useBrand, useSession } from '../session/SessionContext';
import { AudienceForm } from './AudienceForm';
import { usedByItems, usedBySummary } from './audienceText';

/** A brand's named audiences: their rules in words, what uses them, and editing. */
export function AudiencesPage() {
  const { brand: slug = '' } = useParams();
  const brand = useBrand(slug);
  const { user } = useSession();
  const q = useQuery(AudiencesDocument, { brand: slug });
  const [editing, setEditing] = useState<AudienceFullFragment | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Changing an audience is like publishing: editors only where the brand needs no approval.
  const mayChange = user.role === 'ADMIN' || user.role === 'REVIEWER' || (canEdit(user.role) && brand?.policy.requireApproval === false);
  const audiences = q.data?.audiences ?? [];
  const names = audiences.map((a) => a.name);

  function saved(a: AudienceFullFragment) {
    setNotice(`Saved the audience “${a.name}”: every rule using it follows at once.`);
    setEditing(null);
    void q.reload();
  }

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>Audiences</h1>
          <p className="muted">Named rules a variant’s audience can use as “is in audience NAME”. A change applies to every rule using it, like a publish.</p>
        </div>
        {mayChange && editing === null && (
          <button type="button" className="btn btn-primary" onClick={() => { setNotice(null); setEditing('new'); }}>New audience</button>
        )}
      </div>
      {notice && <p role="status" className="notice">{notice}</p>}
      {editing !== null && (
        <AudienceForm key={editing === 'new' ? 'new' : `${editing.id}@${editing.version}`} brand={slug}
          audience={editing === 'new' ? null : editing}
          others={names.filter((n) => editing === 'new' || n !== editing.name)}
          attributes={brand?.policy.usageAttributes ?? []} onSaved={saved} onCancel={() => setEditing(null)} />
      )}
      <ErrorBox error={q.error} onRetry={q.reload} />
      {q.loading && !q.data && <Loading what="Loading audiences" />}
      {q.data && audiences.length === 0 && <p className="empty">No audiences yet.</p>}
      {audiences.length > 0 && (
        <table className="table">
          <thead><tr><th scope="col">Audience</th><th scope="col">Rule</th><th scope="col">Used by</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {audiences.map((a) => (
              <tr key={a.id}>
                <th scope="row">{a.name}</th>
                <td>{a.ruleText}</td>
                <td><UsedBy brand={slug} audience={a} /></td>
                <td>
                  {mayChange && (
                    <div className="actions wrap">
                      <button type="button" className="btn btn-small" onClick={() => { setNotice(null); setEditing(a); }}>Edit {a.name}</button>
                      <DeleteButton what={`the audience “${a.name}”`} label={`Delete ${a.name}`}
                        confirm={`Delete the audience “${a.name}”?`}
                        onDelete={() => request(DeleteAudienceDocument, { id: a.id })}
                        onDeleted={() => { setNotice(`Deleted the audience “${a.name}”.`); void q.reload(); }} />
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UsedBy({ brand, audience }: { brand: string; audience: AudienceFullFragment }) {
  const items = usedByItems(audience.usedBy);
  return (
    <>
      <span>{usedBySummary(audience.usedBy)}</span>
      {items.length > 0 && (
        <ul className="plain-list" aria-label={`What uses ${audience.name}`}>
          {items.map((u, i) => (
            <li key={`${u.text}-${i}`}>{u.variant ? <Link to={paths.variant(brand, u.variant.entryKey, u.variant.id)}>{u.text}</Link> : u.text}</li>
          ))}
        </ul>
      )}
    </>
  );
}
