import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ContentTypesDocument, PreviewDocument, request, useQuery, type Device, type PreviewQuery } from '../../api';
import { ValueInput } from '../rules/ValueInput';
import { ErrorBox } from '../../ui/ErrorBox';
import { fromLocalInput, toLocalInput } from '../../ui/format';
import { LiveBadge, QualityScore, StatusBadge } from '../../ui/StatusBadge';
import { paths } from '../entries/paths';
import type { Brand } from '../session/SessionContext';
import { DEVICES } from '../variants/draft';
import { SimulatedArm } from '../experiments/SimulatedArm';
import { toContext, type AttributeRow, type SimulatorForm } from './context';
import { PreviewFrame } from './PreviewFrame';

interface Props {
  brand: Brand;
  entryKey: string;
  contentType: string;
}

let rowSeq = 0;
const newRow = (key = ''): AttributeRow => ({ id: ++rowSeq, key, value: { type: 'string', text: '' } });

/** "Who sees what": resolve the entry for an imagined audience, as delivery would. */
export function AudienceSimulator({ brand, entryKey, contentType }: Props) {
  const [form, setForm] = useState<SimulatorForm>(() => ({
    rows: brand.policy.usageAttributes.length ? brand.policy.usageAttributes.map(newRow) : [newRow()],
    device: 'MOBILE',
    locale: '',
    userKey: '',
    at: null,
  }));
  const [result, setResult] = useState<PreviewQuery['preview'] | null>(null);
  const [simulatedKey, setSimulatedKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const types = useQuery(ContentTypesDocument, { brand: brand.slug });
  const defs = types.data?.contentTypes.find((t) => t.name === contentType)?.fields ?? [];

  const setRow = (id: number, patch: Partial<AttributeRow>) => setForm((f) => ({ ...f, rows: f.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) }));

  async function simulate(e: FormEvent) {
    e.preventDefault();
    const { context, problems: found } = toContext(form);
    setProblems(found);
    if (found.length) return;
    setBusy(true);
    setError(null);
    try {
      setResult((await request(PreviewDocument, { brand: brand.slug, key: entryKey, context })).preview);
      setSimulatedKey(context.userKey ?? '');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const frameDevice: Device = form.device || 'DESKTOP';
  const winner = result?.variant;
  // The winner first, then the other eligible ones, then the rest, as the server ordered them.
  const rank = (c: PreviewQuery['preview']['candidates'][number]) => (c.variant.id === winner?.id ? 0 : c.eligible ? 1 : 2);
  const candidates = result ? [...result.candidates].sort((a, b) => rank(a) - rank(b)) : [];
  return (
    <section className="card simulator" aria-labelledby="sim-title">
      <h2 id="sim-title">Audience simulator</h2>
      <p className="muted">Describe a visitor and see which published variant they would get, and why. Nothing is recorded.</p>
      <form onSubmit={simulate} className="sim-form">
        <fieldset>
          <legend>Attributes</legend>
          {form.rows.map((row, i) => (
            <div className="attr-row" key={row.id}>
              <input aria-label={`Attribute ${i + 1} name`} placeholder="name, e.g. segment" value={row.key} onChange={(e) => setRow(row.id, { key: e.target.value })} />
              <ValueInput value={row.value} onChange={(value) => setRow(row.id, { value })} label={`Attribute ${i + 1} value`} disabled={false} />
              <button type="button" className="icon-btn" aria-label={`Remove attribute ${i + 1}`} onClick={() => setForm((f) => ({ ...f, rows: f.rows.filter((r) => r.id !== row.id) }))}>×</button>
            </div>
          ))}
          <button type="button" className="btn btn-small" onClick={() => setForm((f) => ({ ...f, rows: [...f.rows, newRow()] }))}>+ Attribute</button>
        </fieldset>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="sim-device">Device</label>
            <select id="sim-device" value={form.device} onChange={(e) => setForm({ ...form, device: e.target.value as Device | '' })}>
              <option value="">Not given</option>
              {DEVICES.map((d) => <option key={d} value={d}>{d.toLowerCase()}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sim-locale">Locale</label>
            <input id="sim-locale" list="sim-locales" placeholder={`default: ${brand.defaultLocale}`} value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value })} />
            <datalist id="sim-locales">{brand.locales.map((l) => <option key={l} value={l} />)}</datalist>
          </div>
          <div className="field">
            <label htmlFor="sim-user">User key (optional)</label>
            <input id="sim-user" value={form.userKey} onChange={(e) => setForm({ ...form, userKey: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="sim-at">As of (empty: now)</label>
            <input id="sim-at" type="datetime-local" value={toLocalInput(form.at)} onChange={(e) => setForm({ ...form, at: fromLocalInput(e.target.value) })} />
          </div>
        </div>
        {problems.map((p) => <p key={p} className="field-error" role="alert">{p}</p>)}
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Resolving…' : 'Show what they get'}</button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <div className="sim-result" aria-live="polite">
          <div className="sim-winner">
            <h3>{winner ? <>Winner: <Link to={paths.variant(brand.slug, entryKey, winner.id)}>{winner.name}</Link></> : 'No variant is served'}</h3>
            <p className="reason">{result.reason}</p>
            <SimulatedArm reason={result.reason} userKey={simulatedKey} />
            {winner && <PreviewFrame device={frameDevice} fields={(winner.fields ?? {}) as Record<string, unknown>} defs={defs} />}
          </div>
          <div className="sim-candidates">
            <h3>Every candidate</h3>
            {candidates.length === 0 && <p className="muted">This entry has no variants to choose from.</p>}
            <ul className="candidates">
              {candidates.map((c) => (
                <li key={c.variant.id} className={c.eligible ? 'eligible' : 'ineligible'}>
                  <div>
                    <span aria-hidden="true">{c.eligible ? '✓' : '✗'}</span>{' '}
                    <Link to={paths.variant(brand.slug, entryKey, c.variant.id)}>{c.variant.name}</Link>{' '}
                    <span className="sr-only">{c.eligible ? 'eligible' : 'not eligible'}</span>
                    {c.variant.id === winner?.id && <span className="badge badge-live">winner</span>}
                  </div>
                  <div className="cand-meta">
                    <StatusBadge status={c.variant.status} /> <LiveBadge onAir={c.variant.onAir} /> priority {c.variant.priority} · quality <QualityScore score={c.variant.quality.score} />
                  </div>
                  <div className="muted rule-text">{c.variant.ruleText || 'everyone'}</div>
                  <ul className="reasons">{c.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}
