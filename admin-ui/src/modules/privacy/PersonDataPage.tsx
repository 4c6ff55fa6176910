import { useEffect, useState, type FormEvent } from 'react';
import { ForgetPersonDocument, PersonDataDocument, request } from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { preferredBrand } from '../layout/brandChoice';
import { canManageUsers } from '../session/permissions';
import { useSession } from '../session/SessionContext';
import { eraseQuestion, exportFileName, exportJson, lookupProblem, type PersonEvent, type PersonLookup } from './personData';

interface Found {
  lookup: PersonLookup;
  events: PersonEvent[];
}

/** A person's data (auditors and admins): every stored usage event of one user key in a brand, exported as
 * JSON; admins may erase them after confirming. */
export function PersonDataPage() {
  const { brands, user } = useSession();
  const [lookup, setLookup] = useState<PersonLookup>(() => ({ brand: preferredBrand(brands.map((b) => b.slug)) ?? '', userKey: '' }));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [found, setFound] = useState<Found | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [erased, setErased] = useState<number | null>(null);
  const problem = lookupProblem(lookup);

  async function find(e?: FormEvent) {
    e?.preventDefault();
    setTried(true);
    if (problem) return;
    setBusy(true);
    setError(null);
    setConfirming(false);
    try {
      const res = await request(PersonDataDocument, lookup);
      setFound({ lookup, events: res.personData });
    } catch (err) {
      setError(err);
      setFound(null);
    } finally {
      setBusy(false);
    }
  }

  async function erase() {
    if (!found) return;
    setBusy(true);
    setError(null);
    try {
      const res = await request(ForgetPersonDocument, found.lookup);
      setErased(res.forgetPerson);
      setFound({ ...found, events: [] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <section className="page">
      <h1>Person’s data</h1>
      <p className="muted">Every usage event stored for one person, found by the user key the app sends (it is hashed exactly as when the events were recorded, and never stored). Each look-up is audited.</p>
      <form className="card form-grid" onSubmit={find} noValidate aria-label="Find a person">
        <div className="field">
          <label htmlFor="pd-brand">Brand</label>
          <select id="pd-brand" value={lookup.brand} disabled={busy} onChange={(e) => setLookup({ ...lookup, brand: e.target.value })}>
            {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="pd-key">User key</label>
          <input id="pd-key" value={lookup.userKey} disabled={busy} autoComplete="off" onChange={(e) => { setLookup({ ...lookup, userKey: e.target.value }); setErased(null); }} />
        </div>
        <div className="field field-wide">
          {tried && problem && <p className="field-error" role="alert">{problem}</p>}
          <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Looking…' : 'Look up'}</button>
        </div>
      </form>
      <ErrorBox error={error} />
      {erased !== null && <p role="status" className="notice">Erased {erased} usage event(s).</p>}
      {found && (
        <Events
          found={found} busy={busy} canErase={canManageUsers(user.role)} confirming={confirming}
          onAskErase={() => setConfirming(true)} onCancel={() => setConfirming(false)} onErase={erase}
        />
      )}
    </section>
  );
}

interface EventsProps {
  found: Found;
  busy: boolean;
  canErase: boolean;
  confirming: boolean;
  onAskErase: () => void;
  onCancel: () => void;
  onErase: () => void;
}

function Events({ found, busy, canErase, confirming, onAskErase, onCancel, onErase }: EventsProps) {
  const { events, lookup } = found;
  return (
    <section className="card" aria-labelledby="pd-events">
      <h2 id="pd-events">{events.length === 1 ? '1 event' : `${events.length} events`}</h2>
      {events.length > 0 && (
        <>
          <div className="toolbar">
            <ExportLink brand={lookup.brand} events={events} />
            {canErase && !confirming && <button type="button" className="btn btn-danger" disabled={busy} onClick={onAskErase}>Erase this person’s data</button>}
          </div>
          {confirming && (
            <div className="confirm" role="alertdialog" aria-label="Confirm erasing">
              <p>{eraseQuestion(events.length, lookup.brand)}</p>
              <button type="button" className="btn btn-danger" disabled={busy} onClick={onErase}>Erase for good</button>
              <button type="button" className="btn" disabled={busy} onClick={onCancel}>Cancel</button>
            </div>
          )}
          <table aria-label="Person’s usage events">
            <thead>
              <tr><th>Time (UTC)</th><th>Kind</th><th>Entry</th><th>Variant</th><th>Device</th><th>Locale</th><th>Attributes</th><th>Value</th></tr>
            </thead>
            <tbody>
              {events.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>{e.at}</td><td>{e.kind}</td><td>{e.entryKey}</td><td>{e.variantName}</td><td>{e.device}</td><td>{e.locale ?? ''}</td>
                  <td>{e.attributes == null ? '' : JSON.stringify(e.attributes)}</td><td>{e.value ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The events as a JSON file to download (a Blob URL: nothing leaves the browser). */
function ExportLink({ brand, events }: { brand: string; events: PersonEvent[] }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const next = URL.createObjectURL(new Blob([exportJson(brand, events)], { type: 'application/json' }));
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [brand, events]);
  if (!url) return null;
  return <a className="btn" href={url} download={exportFileName(brand)}>Export JSON</a>;
}
