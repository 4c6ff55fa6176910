import { useState, type FormEvent } from 'react';
import {
  CreateDeliveryKeyDocument, DeliveryKeysDocument, describeError, RevokeDeliveryKeyDocument, useMutation, useQuery,
  type CreateDeliveryKeyMutation,
} from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import { preferredBrand } from '../layout/brandChoice';
import { describeLimits, EMPTY_OPTIONS, parseKeyOptions, type KeyOptionsForm } from './keyOptions';
import { useSession } from '../session/SessionContext';

type NewKey = CreateDeliveryKeyMutation['createDeliveryKey'];

export function DeliveryKeysPage() {
  const { brands } = useSession();
  const [brand, setBrand] = useState(() => preferredBrand(brands.map((b) => b.slug)) ?? '');
  const keys = useQuery(DeliveryKeysDocument, { brand: brand || null });
  const revoke = useMutation(RevokeDeliveryKeyDocument);
  const [fresh, setFresh] = useState<NewKey | null>(null);

  async function revokeKey(id: string, name: string) {
    if (!window.confirm(`Revoke the key “${name}”? Apps using it stop getting content at once.`)) return;
    if (await revoke.run({ id })) void keys.reload();
  }

  return (
    <section className="page">
      <h1>Delivery keys</h1>
      <p className="muted">Apps use a delivery key to fetch published content of one brand.</p>
      <div className="toolbar">
        <label htmlFor="dk-brand">Brand</label>
        <select id="dk-brand" value={brand} onChange={(e) => setBrand(e.target.value)}>
          <option value="">All brands</option>
          {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
        </select>
      </div>
      <NewKeyForm defaultBrand={brand || brands[0]?.slug || ''} onCreated={(k) => { setFresh(k); void keys.reload(); }} />
      {fresh && (
        <div className="token-once" role="status">
          <p><strong>Key “{fresh.name}” created for {fresh.brand}.</strong> Copy its token now: it is shown only this once.</p>
          <div className="token-row">
            <label htmlFor="dk-token" className="sr-only">Token</label>
            <input id="dk-token" className="mono" readOnly value={fresh.token} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(fresh.token)}>Copy</button>
            <button type="button" className="btn" onClick={() => setFresh(null)}>Done</button>
          </div>
        </div>
      )}
      <ErrorBox error={keys.error} onRetry={keys.reload} />
      <ErrorBox error={revoke.error} title="Could not revoke." />
      {keys.loading && !keys.data && <Loading what="Loading keys" />}
      {keys.data && keys.data.deliveryKeys.length === 0 && <p className="empty">No delivery keys yet.</p>}
      {keys.data && keys.data.deliveryKeys.length > 0 && (
        <table className="table">
          <thead><tr><th scope="col">Name</th><th scope="col">Brand</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Limits</th><th scope="col">State</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {keys.data.deliveryKeys.map((k) => (
              <tr key={k.id} className={k.revoked ? 'row-muted' : undefined}>
                <td>{k.name}</td>
                <td>{k.brand}</td>
                <td>{formatDateTime(k.createdAt)}</td>
                <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</td>
                <td>{k.expiresAt ? formatDateTime(k.expiresAt) : 'Never'}</td>
                <td>{describeLimits(k)}</td>
                <td><KeyState revoked={k.revoked} expired={k.expired} /></td>
                <td>{!k.revoked && <button type="button" className="btn btn-small btn-danger" disabled={revoke.busy} onClick={() => void revokeKey(k.id, k.name)}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function KeyState({ revoked, expired }: { revoked: boolean; expired: boolean }) {
  if (revoked) return <span className="badge badge-archived">Revoked</span>;
  if (expired) return <span className="badge badge-archived">Expired</span>;
  return <span className="badge badge-live">Active</span>;
}

function NewKeyForm({ defaultBrand, onCreated }: { defaultBrand: string; onCreated: (k: NewKey) => void }) {
  const { brands } = useSession();
  const create = useMutation(CreateDeliveryKeyDocument);
  const [name, setName] = useState('');
  const [brand, setBrand] = useState(defaultBrand);
  const [options, setOptions] = useState<KeyOptionsForm>(EMPTY_OPTIONS);
  const [problem, setProblem] = useState<string | null>(null);
  const option = (field: keyof KeyOptionsForm) => (e: { target: { value: string } }) =>
    setOptions((o) => ({ ...o, [field]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseKeyOptions(options);
    if (typeof parsed === 'string') {
      setProblem(parsed);
      return;
    }
    setProblem(null);
    const res = await create.run({ brand, name: name.trim(), ...parsed });
    if (res) {
      setName('');
      setOptions(EMPTY_OPTIONS);
      onCreated(res.createDeliveryKey);
    }
  }

  return (
    <form className="card inline-form" onSubmit={submit} aria-label="New delivery key">
      <div className="field">
        <label htmlFor="nk-name">Key name</label>
        <input id="nk-name" required placeholder="e.g. ios-app" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="nk-brand">For brand</label>
        <select id="nk-brand" value={brand} onChange={(e) => setBrand(e.target.value)}>
          {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="nk-expires">Expires (optional)</label>
        <input id="nk-expires" type="datetime-local" value={options.expires} onChange={option('expires')} />
      </div>
      <div className="field">
        <label htmlFor="nk-origins">Allowed origins (optional)</label>
        <input id="nk-origins" placeholder="https://shop.example" value={options.origins} onChange={option('origins')} />
      </div>
      <div className="field">
        <label htmlFor="nk-rate">Rate limit, answers per second (optional)</label>
        <input id="nk-rate" type="number" min={1} step={1} value={options.rate} onChange={option('rate')} />
      </div>
      <button type="submit" className="btn btn-primary" disabled={create.busy || !brand}>{create.busy ? 'Creating…' : 'Create key'}</button>
      {problem != null && <p className="field-error" role="alert">{problem}</p>}
      {create.error != null && <p className="field-error" role="alert">{describeError(create.error)}</p>}
    </form>
  );
}
