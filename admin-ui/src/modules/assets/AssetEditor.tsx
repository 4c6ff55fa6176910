import { useState, type MouseEvent } from 'react';
import { describeError, request, UpdateAssetDocument, type UpdateAssetMutation } from '../../api';
import { focalFromClick, focalInWords, percentToFocal, toUpdateAssetInput, type Focal } from './assetMeta';

export type SavedAsset = UpdateAssetMutation['updateAsset'];

interface Props {
  brand: string;
  id: string;
  /** A large rendition to click on. */
  imageUrl: string;
  alt: string | null | undefined;
  focalX: number | null | undefined;
  focalY: number | null | undefined;
  onSaved: (a: SavedAsset) => void;
  onCancel?: () => void;
}

/** Alt text and focal point of one image: click the image to set the point crops keep in view. */
export function AssetEditor({ brand, id, imageUrl, alt, focalX, focalY, onSaved, onCancel }: Props) {
  const [text, setText] = useState(alt ?? '');
  const [focal, setFocal] = useState<Focal | null>(focalX != null && focalY != null ? { x: focalX, y: focalY } : null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const fid = `asset-${id.slice(0, 12)}`;

  function click(e: MouseEvent<HTMLImageElement>) {
    const box = e.currentTarget.getBoundingClientRect();
    setFocal(focalFromClick(e.clientX - box.left, e.clientY - box.top, box.width, box.height));
    setSaved(false);
  }

  function setAxis(axis: 'x' | 'y', value: string) {
    const n = percentToFocal(value);
    if (n === null) return;
    setFocal((f) => ({ x: 0.5, y: 0.5, ...f, [axis]: n }));
    setSaved(false);
  }

  async function save() {
    setBusy(true);
    setError(null);
    try {
      const res = await request(UpdateAssetDocument, { id, input: toUpdateAssetInput({ alt: text, focal }, brand) });
      setSaved(true);
      onSaved(res.updateAsset);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    // A group, not a form: the editor also sits inside the variant form's image field.
    <div className="asset-editor" role="group" aria-label="Image details">
      <div className="focal-picker">
        {/* The number inputs below set the same point for keyboard users. */}
        <img src={imageUrl} alt={text || 'The image being described'} onClick={click} title="Click where the subject is" />
        {focal && <span className="focal-marker" aria-hidden="true" style={{ left: `${focal.x * 100}%`, top: `${focal.y * 100}%` }} />}
      </div>
      <p className="muted" aria-live="polite">{focalInWords(focal)}. Click the image where its subject is: crops for every device keep that point in view.</p>
      <div className="inline-form">
        <div className="field">
          <label htmlFor={`${fid}-fx`}>Focal point from the left (%)</label>
          <input id={`${fid}-fx`} className="number-small" type="number" min={0} max={100} step={1}
            value={focal ? Math.round(focal.x * 100) : ''} onChange={(e) => setAxis('x', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${fid}-fy`}>Focal point from the top (%)</label>
          <input id={`${fid}-fy`} className="number-small" type="number" min={0} max={100} step={1}
            value={focal ? Math.round(focal.y * 100) : ''} onChange={(e) => setAxis('y', e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${fid}-alt`}>Alt text</label>
        <input id={`${fid}-alt`} value={text} maxLength={1000} placeholder="What the image shows, for people who cannot see it"
          onChange={(e) => { setText(e.target.value); setSaved(false); }} />
      </div>
      {error && <p className="field-error" role="alert">{error}</p>}
      {saved && <p role="status" className="muted">Image details saved.</p>}
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void save()}>{busy ? 'Saving…' : 'Save image details'}</button>
        {onCancel && <button type="button" className="btn" disabled={busy} onClick={onCancel}>Close</button>}
      </div>
    </div>
  );
}
