import { useState, type FormEvent } from 'react';
import { CreatePreviewKeyDocument, describeError, request, SetPreviewUrlDocument } from '../../api';
import { useSessionApi, type Brand } from '../session/SessionContext';
import { previewUrlProblem, storedPreviewToken, storePreviewToken } from './previewLink';

/**
 * Brand settings' "Draft preview on your site": the preview URL template, and a preview key whose
 * token this browser keeps for "Open preview" (shown once, to hand to the brand's editors).
 */
export function PreviewSettings({ brand }: { brand: Brand }) {
  const { replaceBrand } = useSessionApi();
  const [template, setTemplate] = useState(brand.previewUrl ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [token, setToken] = useState<string | null>(null);
  const [kept, setKept] = useState(() => storedPreviewToken(brand.slug) !== null);
  const problem = previewUrlProblem(template);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (problem) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const res = await request(SetPreviewUrlDocument, { slug: brand.slug, previewUrl: template.trim() || null });
      replaceBrand(res.updateBrand);
      setSaved(true);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  async function createKey() {
    setBusy(true);
    setError(null);
    try {
      const res = await request(CreatePreviewKeyDocument, { brand: brand.slug, name: `preview ${new Date().toISOString().slice(0, 10)}` });
      const fresh = res.createDeliveryKey.token;
      storePreviewToken(brand.slug, fresh);
      setToken(fresh);
      setKept(true);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Draft preview on your site</h2>
      <p className="muted">
        “Open preview” in the variant editor opens this address with the entry’s key and a <em>preview key</em>: a delivery key that
        sees drafts as if published and records nothing. Your site passes the token to Vary as its delivery key.
      </p>
      <form className="inline-form" onSubmit={save} aria-label="Preview address">
        <div className="field preview-url-field">
          <label htmlFor="preview-url">Preview URL</label>
          <input id="preview-url" className="mono" value={template} placeholder="https://site.example/{key}?vary_preview={token}"
            aria-invalid={problem ? true : undefined} aria-describedby="preview-url-help"
            onChange={(e) => { setTemplate(e.target.value); setSaved(false); }} />
          <small id="preview-url-help" className="muted">{'{key}'} becomes the entry’s key, {'{token}'} the preview key’s token. Empty: no preview link.</small>
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy || problem !== null}>Save preview URL</button>
      </form>
      {problem && <p className="field-error" role="alert">{problem}</p>}
      {saved && <p role="status" className="muted">Preview URL saved.</p>}
      <h3>Preview key</h3>
      <p>{kept ? 'This browser keeps a preview key for this brand.' : 'This browser has no preview key for this brand yet.'}</p>
      <div className="actions wrap">
        <button type="button" className="btn" disabled={busy} onClick={() => void createKey()}>Create a preview key for this browser</button>
        {kept && <button type="button" className="btn" onClick={() => { storePreviewToken(brand.slug, null); setKept(false); setToken(null); }}>Forget it in this browser</button>}
      </div>
      {token && (
        <div className="token-once" role="status">
          <p>Preview key created and kept in this browser. Give editors its token (shown only now); they paste it beside “Open preview”.</p>
          <label htmlFor="preview-token" className="sr-only">Preview key token</label>
          <input id="preview-token" className="mono preview-token" readOnly value={token} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
    </section>
  );
}
