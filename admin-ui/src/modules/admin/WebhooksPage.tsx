import { useEffect, useState, type FormEvent } from 'react';
import {
  CreateWebhookDocument, DeleteWebhookDocument, describeError, useMutation, useQuery, WebhooksDocument,
  type CreateWebhookMutation, type WebhookEvent, type WebhooksQuery,
} from '../../api';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import { preferredBrand } from '../layout/brandChoice';
import { useBarBrand } from '../layout/useBarBrand';
import { useSession } from '../session/SessionContext';
import { WebhookDeliveries } from './WebhookDeliveries';
import { EVENTS, VERIFY_SNIPPET, webhookProblem } from './webhooks';

type NewWebhook = CreateWebhookMutation['createWebhook'];
type Webhook = WebhooksQuery['webhooks'][number];

/** Admins register URLs to be told about publishing, and watch their deliveries. */
export function WebhooksPage() {
  const { brands } = useSession();
  const [barBrand, chooseBarBrand] = useBarBrand();
  const [brand, setBrand] = useState(() => barBrand ?? preferredBrand(brands.map((b) => b.slug)) ?? '');
  useEffect(() => {
    if (barBrand) setBrand(barBrand);
  }, [barBrand]);
  const hooks = useQuery(WebhooksDocument, { brand: brand || null });
  const waiting = hooks.data?.webhooks.some((h) => h.deliveries.some((d) => d.status === 'PENDING')) ?? false;
  const { reload } = hooks;
  // While a delivery waits for its next attempt, look again every few seconds.
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => void reload(), 3000);
    return () => window.clearInterval(timer);
  }, [waiting, reload]);
  const remove = useMutation(DeleteWebhookDocument);
  const [fresh, setFresh] = useState<NewWebhook | null>(null);

  async function deleteHook(h: Webhook) {
    if (!window.confirm(`Delete the webhook to ${h.url}? It gets no further notifications; pending deliveries are dropped.`)) return;
    if (await remove.run({ id: h.id })) {
      if (fresh?.id === h.id) setFresh(null);
      void hooks.reload();
    }
  }

  const list = hooks.data?.webhooks ?? [];
  return (
    <section className="page">
      <h1>Webhooks</h1>
      <p className="muted">Vary sends a signed POST to each address when a variant of its brand is published, unpublished or archived, retrying failures with growing pauses.</p>
      <div className="toolbar">
        <label htmlFor="wh-brand">Brand</label>
        <select id="wh-brand" value={brand} onChange={(e) => { setBrand(e.target.value); chooseBarBrand(e.target.value); }}>
          <option value="">All brands</option>
          {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
        </select>
        <button type="button" className="btn btn-small" disabled={hooks.loading} onClick={() => void hooks.reload()}>Refresh</button>
      </div>
      <NewWebhookForm defaultBrand={brand || brands[0]?.slug || ''} onCreated={(h) => { setFresh(h); void hooks.reload(); }} />
      {fresh && <SecretOnce hook={fresh} onDone={() => setFresh(null)} />}
      <ErrorBox error={hooks.error} onRetry={hooks.reload} title="Could not load the webhooks." />
      <ErrorBox error={remove.error} title="Could not delete." />
      {hooks.loading && !hooks.data && <Loading what="Loading webhooks" />}
      {hooks.data && list.length === 0 && <p className="empty">No webhooks{brand ? ' for this brand' : ''} yet.</p>}
      {list.map((h) => (
        <article key={h.id} className="card webhook" aria-label={`Webhook ${h.url}`}>
          <div className="page-head">
            <div>
              <h2 className="wrap-anywhere"><code>{h.url}</code></h2>
              <p className="muted webhook-meta">
                {h.brand} · on {h.events.map((e) => EVENTS.find((x) => x.event === e)?.label.toLowerCase() ?? e).join(', ')} · added by {h.createdBy}, {formatDateTime(h.createdAt)}
              </p>
            </div>
            <button type="button" className="btn btn-small btn-danger" disabled={remove.busy} onClick={() => void deleteHook(h)}>Delete</button>
          </div>
          <WebhookDeliveries hook={h} onChanged={() => void hooks.reload()} />
        </article>
      ))}
    </section>
  );
}

function SecretOnce({ hook, onDone }: { hook: NewWebhook; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(hook.secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <div className="token-once" role="status">
      <p><strong>Webhook to {hook.url} created for {hook.brand}.</strong> Copy its signing secret now: it is shown only this once.</p>
      <div className="token-row">
        <label htmlFor="wh-secret" className="sr-only">Signing secret</label>
        <input id="wh-secret" className="mono" readOnly value={hook.secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</button>
        <button type="button" className="btn" onClick={onDone}>Done</button>
      </div>
      <h3 className="recipe-title">Checking that a request comes from Vary</h3>
      <p>
        Each delivery carries <code>X-Vary-Timestamp</code> and <code>X-Vary-Signature</code>. The signature is{' '}
        <code>sha256=</code> followed by the hex HMAC-SHA256, keyed with this secret, of <code>{'${X-Vary-Timestamp}.${rawBody}'}</code>{' '}
        (the timestamp, a dot, and the body exactly as received). Compute it and compare in constant time; refuse the request when they differ.
      </p>
      <pre className="mono json-view">{VERIFY_SNIPPET}</pre>
    </div>
  );
}

function NewWebhookForm({ defaultBrand, onCreated }: { defaultBrand: string; onCreated: (h: NewWebhook) => void }) {
  const { brands } = useSession();
  const create = useMutation(CreateWebhookDocument);
  const [url, setUrl] = useState('');
  const [brand, setBrand] = useState(defaultBrand);
  const [events, setEvents] = useState<WebhookEvent[]>(EVENTS.map((e) => e.event));
  const [tried, setTried] = useState(false);
  const problem = webhookProblem(url, events);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (problem) return;
    const res = await create.run({ brand, url: url.trim(), events });
    if (res) {
      setUrl('');
      setTried(false);
      onCreated(res.createWebhook);
    }
  }

  return (
    <form className="card form-grid" onSubmit={submit} noValidate aria-label="New webhook">
      <div className="field field-wide">
        <label htmlFor="wh-url">Address to notify</label>
        <input id="wh-url" type="url" required placeholder="https://example.com/hooks/vary" value={url} onChange={(e) => setUrl(e.target.value)} aria-describedby="wh-url-err" aria-invalid={tried && problem ? true : undefined} />
      </div>
      <div className="field">
        <label htmlFor="wh-for-brand">For brand</label>
        <select id="wh-for-brand" value={brand} onChange={(e) => setBrand(e.target.value)}>
          {brands.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
        </select>
      </div>
      <fieldset className="field">
        <legend>Events</legend>
        <div className="checks">
          {EVENTS.map((ev) => (
            <label key={ev.event} className="check" title={ev.help}>
              <input type="checkbox" checked={events.includes(ev.event)} onChange={(e) => setEvents(e.target.checked ? EVENTS.map((x) => x.event).filter((x) => x === ev.event || events.includes(x)) : events.filter((x) => x !== ev.event))} />
              {ev.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field-wide" id="wh-url-err">
        {tried && problem && <p className="field-error" role="alert">{problem}</p>}
        {create.error != null && <p className="field-error" role="alert">{describeError(create.error)}</p>}
      </div>
      <div className="actions field-wide">
        <button type="submit" className="btn btn-primary" disabled={create.busy || !brand}>{create.busy ? 'Creating…' : 'Create webhook'}</button>
        <span className="muted">Private and loopback addresses are refused unless the operator allows them.</span>
      </div>
    </form>
  );
}
