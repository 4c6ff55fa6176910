import { useState } from 'react';
import { describeError, getToken } from '../api';
import { AssetEditor } from '../modules/assets/AssetEditor';
import { assetName } from '../modules/assets/assetMeta';
import { useAssetPages, type LibraryAsset } from '../modules/assets/useAssetPages';
import { conventionalUrl, deviceLabel, devicePreviews, formatBytes, thumbnailUrl } from './assets';
import { ApiError } from '../api/errors';
import type { FieldEditorProps } from './types';

async function upload(file: File, brand: string): Promise<string> {
  const form = new FormData();
  form.append('file', file);
  form.append('brand', brand);
  const token = getToken();
  let res: Response;
  try {
    res = await fetch('/api/assets', { method: 'POST', body: form, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  } catch {
    throw new ApiError('NETWORK', 'upload failed');
  }
  const body = (await res.json().catch(() => null)) as { id?: string; error?: { code?: string; message?: string } } | null;
  if (!res.ok || !body?.id) {
    const code = (body?.error?.code ?? 'UNKNOWN') as ApiError['code'];
    throw new ApiError(code, body?.error?.message ?? `upload answered HTTP ${res.status}`);
  }
  return body.id;
}

const PAGE_SIZE = 24;

/** The id of an image asset of the brand: typed in, picked from the brand's library, or uploaded here. */
export function AssetField({ def, value, onChange, inputId, describedBy, disabled, brand }: FieldEditorProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [browsing, setBrowsing] = useState(false);
  /** The image just uploaded here, until its alt text and focal point are saved or skipped. */
  const [describing, setDescribing] = useState<string | null>(null);
  const id = typeof value === 'string' ? value : '';
  const library = useAssetPages(brand, PAGE_SIZE, browsing || id !== '');
  const chosen = id ? library.assets.find((a) => a.id === id) ?? null : null;

  async function pick(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const uploaded = await upload(file, brand);
      onChange(uploaded);
      setDescribing(uploaded);
      library.reload();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="asset-field-wrap">
      <div className="asset-field">
        {id && <img className="asset-thumb" src={chosen ? thumbnailUrl(chosen.id, chosen.renditions) : thumbnailUrl(id, [])} alt={chosen?.alt ?? ''} width={96} height={64} />}
        {id && <ChosenAsset asset={chosen} />}
        <div className="asset-inputs">
          <details className="asset-id">
            <summary>Asset id</summary>
            <input
              id={inputId}
              type="text"
              className="mono"
              placeholder="Asset id"
              value={id}
              onChange={(e) => onChange(e.target.value === '' && !def.required ? undefined : e.target.value)}
              disabled={disabled}
              aria-describedby={describedBy}
            />
          </details>
          <button type="button" className="btn btn-small" aria-expanded={browsing} disabled={disabled} onClick={() => setBrowsing((b) => !b)}>
            {browsing ? 'Close library' : 'Browse library'}
          </button>
          <label className="btn btn-small file-btn">
            {busy ? 'Uploading…' : 'Upload image'}
            <input type="file" accept="image/jpeg,image/png,image/webp,image/gif" disabled={disabled || busy} onChange={(e) => void pick(e.target.files?.[0])} />
          </label>
        </div>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      {describing && describing === id && (
        <DescribeUpload brand={brand} id={describing} onDone={(saved) => { setDescribing(null); if (saved) library.reload(); }} />
      )}
      {browsing && (
        <div className="asset-library" role="group" aria-label={`Asset library of ${brand}`}>
          {library.error ? <p className="field-error" role="alert">Could not load the assets: {describeError(library.error)}</p> : null}
          {!library.loading && !library.error && library.assets.length === 0 && <p className="empty">This brand has no assets yet. Upload one.</p>}
          <ul className="asset-grid">
            {library.assets.map((a) => (
              <li key={a.id}>
                <button
                  type="button"
                  className={`asset-card${a.id === id ? ' asset-card-chosen' : ''}`}
                  aria-pressed={a.id === id}
                  disabled={disabled}
                  onClick={() => { onChange(a.id); setBrowsing(false); }}
                  title={a.id}
                >
                  <img src={thumbnailUrl(a.id, a.renditions)} alt={a.alt ?? ''} width={120} height={80} loading="lazy" style={{ background: a.dominantColor }} />
                  <span className="asset-card-alt">{a.alt || <span className="muted">(no alt text)</span>}</span>
                  <span className="muted">{a.width}×{a.height} · {a.format} · {formatBytes(a.bytes)}</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="pager">
            <span className="muted">{library.assets.length} of {library.total} shown</span>
            {library.loading && <span className="muted">Loading…</span>}
            {library.hasMore && !library.loading && <button type="button" className="btn btn-small" onClick={library.loadMore}>Load more</button>}
          </div>
        </div>
      )}
      {id && (
        <div className="asset-devices" role="group" aria-label="Chosen image per device">
          {devicePreviews(id, chosen ? chosen.renditions : null).map((p) => (
            <figure key={p.device} className="asset-device">
              <img src={p.url} alt={chosen?.alt ?? ''} loading="lazy" />
              <figcaption>
                {deviceLabel(p.device)}
                {p.width !== null ? <span className="muted"> · {p.width}×{p.height}</span> : null}
              </figcaption>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}

/** The chosen image by name (its alt text, else format and size), not by its 64-character id. */
function ChosenAsset({ asset }: { asset: LibraryAsset | null }) {
  return (
    <p className="asset-chosen">
      <strong>{asset ? assetName(asset) : 'Chosen image'}</strong>
      {asset && <span className="muted"> · {asset.format} · {asset.width}×{asset.height} · {formatBytes(asset.bytes)}</span>}
      {asset && !asset.alt?.trim() && <span className="field-error"> No alt text yet: add it in the asset library.</span>}
    </p>
  );
}

/** Right after an upload: alt text and focal point for the new image (skippable). */
function DescribeUpload({ brand, id, onDone }: { brand: string; id: string; onDone: (saved: boolean) => void }) {
  return (
    <div className="card" role="group" aria-label="Describe the uploaded image">
      <p><strong>Uploaded.</strong> Describe the image and mark its subject; you can also do this later in the asset library.</p>
      <AssetEditor brand={brand} id={id} imageUrl={conventionalUrl(id, 'DESKTOP')} alt={null} focalX={null} focalY={null}
        onSaved={() => onDone(true)} onCancel={() => onDone(false)} />
    </div>
  );
}
