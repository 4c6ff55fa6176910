/** The entry page's "Experiments" panel: the entry's experiments with their state, and a form to make one. */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ExperimentsDocument, useQuery, type ExperimentFieldsFragment } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import type { Brand } from '../session/SessionContext';
import { useSession } from '../session/SessionContext';
import { canEditExperiments, STATUS_LABEL } from './actions';
import { ExperimentActions } from './ExperimentActions';
import { ExperimentForm } from './ExperimentForm';
import { armsSummary } from './format';
import { experimentPath } from './paths';
import './experiments.css';

interface Props {
  brand: Brand;
  entry: { id: string; key: string; variants: { id: string; name: string }[] };
}

type Editing = { kind: 'new' } | { kind: 'edit'; experiment: ExperimentFieldsFragment } | null;

export function ExperimentsPanel({ brand, entry }: Props) {
  const { user } = useSession();
  const q = useQuery(ExperimentsDocument, { brand: brand.slug, entry: entry.key });
  const [editing, setEditing] = useState<Editing>(null);
  const list = q.data?.experiments ?? [];
  const running = list.find((e) => e.status === 'RUNNING');
  const mayEdit = canEditExperiments(user.role);
  const saved = () => {
    setEditing(null);
    void q.reload();
  };

  return (
    <section className="card" aria-labelledby="exp-title">
      <div className="page-head">
        <h2 id="exp-title">Experiments</h2>
        {mayEdit && !editing && <button type="button" className="btn" onClick={() => setEditing({ kind: 'new' })}>New experiment</button>}
      </div>
      <p className="muted">Test arms against each other on this entry and see which one wins, and by how much.</p>
      {q.loading && !q.data && <Loading what="Loading experiments" />}
      <ErrorBox error={q.error} onRetry={q.reload} />
      {q.data && list.length === 0 && <p>This entry has no experiments yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="table exp-table" aria-label="Experiments of this entry">
            <thead>
              <tr><th scope="col">Experiment</th><th scope="col">Status</th><th scope="col">Arms</th><th scope="col">Actions</th></tr>
            </thead>
            <tbody>
              {list.map((e) => (
                <tr key={e.id}>
                  <td>
                    <Link to={experimentPath(brand.slug, e.id)}>{e.name}</Link>
                    <div className="muted">{e.goal === 'CLICK' ? 'goal: a click' : 'goal: a conversion'} · {e.mode === 'FIXED' ? 'fixed split' : 'bandit'} · audience: {e.audienceText}</div>
                  </td>
                  <td><span className={`badge exp-badge-${e.status.toLowerCase()}`}>{STATUS_LABEL[e.status]}</span>{e.winner && <div className="muted">winner: {e.winner.name}</div>}</td>
                  <td>{armsSummary(e.arms)}</td>
                  <td>
                    <ExperimentActions experiment={e} requireApproval={brand.policy.requireApproval} otherRunning={!!running && running.id !== e.id} onChanged={saved} />
                    {mayEdit && e.status === 'DRAFT' && !editing && (
                      <button type="button" className="btn btn-small" onClick={() => setEditing({ kind: 'edit', experiment: e })}>Edit draft</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <ExperimentForm key={editing.kind === 'edit' ? editing.experiment.id : 'new'} brand={brand} entryId={entry.id} variants={entry.variants}
          experiment={editing.kind === 'edit' ? editing.experiment : undefined} onSaved={saved} onCancel={() => setEditing(null)} />
      )}
    </section>
  );
}
