import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import type { Brand } from '../session/SessionContext';
import { previewHref, storedPreviewToken, storePreviewToken } from './previewLink';

/** The variant editor's "Open preview": the entry on the brand's site, drafts included. */
export function OpenPreview({ brand, entryKey, isAdmin }: { brand: Brand; entryKey: string; isAdmin: boolean }) {
  const [token, setToken] = useState(() => storedPreviewToken(brand.slug));
  const [pasted, setPasted] = useState('');

  if (!brand.previewUrl) {
    return (
      <p className="muted preview-link">
        No preview URL for this brand yet.{' '}
        {isAdmin ? <Link to={`/b/${encodeURIComponent(brand.slug)}/settings`}>Set one in Brand settings</Link> : 'Ask an administrator to set one in Brand settings.'}
      </p>
    );
  }
  if (!token) {
    const keep = (e: FormEvent) => {
      e.preventDefault();
      storePreviewToken(brand.slug, pasted);
      setToken(storedPreviewToken(brand.slug));
    };
    return (
      <form className="inline-form preview-link" aria-label="Preview key" onSubmit={keep}>
        <div className="field">
          <label htmlFor="pk-token">Preview key token (kept in this browser)</label>
          <input id="pk-token" type="password" autoComplete="off" value={pasted} onChange={(e) => setPasted(e.target.value)} />
        </div>
        <button type="submit" className="btn btn-small" disabled={!pasted.trim()}>Use for previews</button>
      </form>
    );
  }
  const href = previewHref(brand.previewUrl, entryKey, token);
  return (
    <p className="preview-link">
      {href ? (
        <a className="btn" href={href} target="_blank" rel="noopener noreferrer">Open preview</a>
      ) : (
        <span className="field-error">The brand’s preview URL is not a web address; fix it in Brand settings.</span>
      )}{' '}
      <button type="button" className="link-btn" onClick={() => { storePreviewToken(brand.slug, null); setToken(null); }}>Use another preview key</button>
    </p>
  );
}
