import { useState } from 'react';
import { describeError, getToken } from '../api';
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

/** The id of an image asset of the brand: typed in, or uploaded here. */
export function AssetField({ def, value, onChange, inputId, describedBy, disabled, brand }: FieldEditorProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = typeof value === 'string' ? value : '';

  async function pick(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      onChange(await upload(file, brand));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="asset-field">
      {id && <img className="asset-thumb" src={`/assets/${encodeURIComponent(id)}/mobile.webp`} alt="" width={96} height={64} />}
      <div className="asset-inputs">
        <input
          id={inputId}
          type="text"
          placeholder="Asset id"
          value={id}
          onChange={(e) => onChange(e.target.value === '' && !def.required ? undefined : e.target.value)}
          disabled={disabled}
          aria-describedby={describedBy}
        />
        <label className="btn btn-small file-btn">
          {busy ? 'Uploading…' : 'Upload image'}
          <input type="file" accept="image/jpeg,image/png,image/webp,image/gif" disabled={disabled || busy} onChange={(e) => void pick(e.target.files?.[0])} />
        </label>
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
