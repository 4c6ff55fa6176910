import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ContentTypesDocument, EntryDocument, useQuery, VariantDocument, type VariantFullFragment } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { paths } from '../entries/paths';
import { OpenPreview } from '../preview/OpenPreview';
import { canEdit, canManageBrands } from '../session/permissions';
import { useBrand, useSession } from '../session/SessionContext';
import { DuplicateButton } from './DuplicateButton';
import { QualityPanel } from './QualityPanel';
import { RevisionDiff, type RevisionPair } from './RevisionDiff';
import { RevisionsPanel } from './RevisionsPanel';
import { VariantForm } from './VariantForm';
import { WorkflowPanel } from './WorkflowPanel';

/** Create a variant (`/variants/new`) or edit one, with its workflow beside it. */
export function VariantEditorPage() {
  const { brand: slug = '', key = '', id } = useParams();
  const brand = useBrand(slug);
  const { user } = useSession();
  const navigate = useNavigate();
  const entryQ = useQuery(EntryDocument, { brand: slug, key });
  const typesQ = useQuery(ContentTypesDocument, { brand: slug });
  const variantQ = useQuery(VariantDocument, { id: id ?? '' }, { skip: !id });
  const [current, setCurrent] = useState<VariantFullFragment | null>(null);
  const [dirty, setDirty] = useState(false);
  const [compare, setCompare] = useState<RevisionPair | null>(null);
  const [compareRequest, setCompareRequest] = useState(0);

  useEffect(() => {
    setCurrent(variantQ.data?.variant ?? null);
  }, [variantQ.data]);

  // Another variant: nothing to compare yet.
  useEffect(() => setCompare(null), [id]);

  const loading = entryQ.loading || typesQ.loading || (!!id && variantQ.loading && !current);
  if (loading) return <Loading what="Loading variant" />;
  const error = entryQ.error ?? typesQ.error ?? variantQ.error;
  if (error) return <ErrorBox error={error} onRetry={() => { void entryQ.reload(); void typesQ.reload(); void variantQ.reload(); }} />;

  const entry = entryQ.data?.entry;
  const type = typesQ.data?.contentTypes.find((t) => t.name === entry?.contentType);
  if (!brand || !entry) return <NotFound what={`entry “${key}”`} back={paths.entries(slug)} />;
  if (id && !current) return <NotFound what="variant" back={paths.entry(slug, key)} />;
  if (!type) return <ErrorBox error={new Error(`The content type “${entry.contentType}” of this entry could not be found.`)} />;

  const editable = canEdit(user.role) && current?.status !== 'ARCHIVED';
  return (
    <section className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={paths.entries(slug)}>Entries</Link> / <Link to={paths.entry(slug, key)}>{key}</Link> /{' '}
        <span aria-current="page">{current ? current.name : 'New variant'}</span>
      </nav>
      <div className="page-head">
        <h1>{current ? current.name : 'New variant'}</h1>
        <div className="actions wrap">
          {current && <OpenPreview brand={brand} entryKey={key} isAdmin={canManageBrands(user.role)} />}
          {current && canEdit(user.role) && <DuplicateButton variant={current} brand={slug} entryKey={key} entryId={entry.id} disabled={dirty} />}
        </div>
      </div>
      {!canEdit(user.role) && <p className="notice">You can read this variant; your role does not edit content.</p>}
      <div className="editor-layout">
        <VariantForm
          key={current ? `${current.id}:${current.version}` : 'new'}
          brand={brand}
          entryId={entry.id}
          defs={type.fields}
          variant={current}
          editable={editable}
          onDirtyChange={setDirty}
          onReload={() => void variantQ.reload()}
          onSaved={(v, created, allowLeave) => {
            setDirty(false);
            if (created) {
              allowLeave();
              navigate(paths.variant(slug, key, v.id), { replace: true });
            } else setCurrent(v);
          }}
        />
        {current && (
          <aside className="editor-side">
            <WorkflowPanel variant={current} user={user} brand={brand} dirty={dirty} onChanged={setCurrent} />
            <QualityPanel variant={current} brand={brand} />
            <RevisionsPanel variant={current} canRestore={canEdit(user.role)} dirty={dirty} onChanged={setCurrent} onCompare={(pair) => { setCompare(pair); setCompareRequest((n) => n + 1); }} comparing={compare?.to} />
          </aside>
        )}
      </div>
      {current && compare && (
        <RevisionDiff variant={current} pair={compare} onPairChange={setCompare} onClose={() => setCompare(null)} request={compareRequest} />
      )}
    </section>
  );
}

function NotFound({ what, back }: { what: string; back: string }) {
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>The {what} does not exist or is not visible to you. <Link to={back}>Go back</Link></p>
    </section>
  );
}
