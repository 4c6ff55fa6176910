import { Link, useNavigate, useParams } from 'react-router-dom';
import { DeleteEntryDocument, EntryDocument, request, useQuery } from '../../api';
import { DeleteButton } from '../../ui/DeleteButton';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { ExperimentsPanel } from '../experiments/ExperimentsPanel';
import { canEdit } from '../session/permissions';
import { useBrand, useSession } from '../session/SessionContext';
import { AudienceSimulator } from '../simulator/AudienceSimulator';
import { VariantTable } from '../variants/VariantTable';
import { paths } from './paths';

export function EntryPage() {
  const { brand: slug = '', key = '' } = useParams();
  const brand = useBrand(slug);
  const { user } = useSession();
  const q = useQuery(EntryDocument, { brand: slug, key });
  const navigate = useNavigate();

  if (q.loading && !q.data) return <Loading what="Loading entry" />;
  if (q.error) return <ErrorBox error={q.error} onRetry={q.reload} />;
  const entry = q.data?.entry;
  if (!entry || !brand) {
    return (
      <section className="page">
        <h1>Entry not found</h1>
        <p>There is no entry “{key}” in this brand. <Link to={paths.entries(slug)}>Back to entries</Link></p>
      </section>
    );
  }

  return (
    <section className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={paths.entries(slug)}>Entries</Link> / <span aria-current="page">{entry.key}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>{entry.key}</h1>
          <p className="muted">
            {entry.contentType}
            {entry.description ? ` · ${entry.description}` : ''}
          </p>
        </div>
        {canEdit(user.role) && (
          <div className="actions wrap">
            <Link className="btn btn-primary" to={paths.newVariant(slug, entry.key)}>New variant</Link>
            <DeleteButton what={`the entry “${entry.key}”`} label="Delete entry"
              confirm={`Delete the entry “${entry.key}”? It leaves delivery, the entries list and search; its history stays for auditors.`}
              onDelete={() => request(DeleteEntryDocument, { id: entry.id })}
              onDeleted={() => navigate(paths.entries(slug), { state: { deleted: entry.key } })} />
          </div>
        )}
      </div>
      <h2>Variants</h2>
      <VariantTable brand={slug} entryKey={entry.key} variants={entry.variants} />
      <ExperimentsPanel brand={brand} entry={entry} />
      <AudienceSimulator brand={brand} entryKey={entry.key} contentType={entry.contentType} />
    </section>
  );
}
