import { useState } from 'react';
import { useParams } from 'react-router-dom';
import { DeleteAssetDocument, request } from '../../api';
import { devicePreviews, formatBytes, thumbnailUrl } from '../../fields/assets';
import { DeleteButton } from '../../ui/DeleteButton';
import { ErrorBox } from '../../ui/ErrorBox';
import { Loading } from '../../ui/Loading';
import { canEdit } from '../session/permissions';
import { useSession } from '../session/SessionContext';
import { AssetEditor } from './AssetEditor';
import { assetName } from './assetMeta';
import { useAssetPages } from './useAssetPages';

const PAGE = 24;

/** The asset library: thumbnails, alt text and focal point edited by clicking the image, deletion. */
export function AssetLibraryPage() {
  const { brand = '' } = useParams();
  const { user } = useSession();
  const lib = useAssetPages(brand, PAGE);
  const [open, setOpen] = useState<string | null>(null);
  const editor = canEdit(user.role);
  const missingAlt = lib.assets.filter((a) => !a.alt?.trim()).length;

  return (
    <section className="page">
      <h1>Asset library</h1>
      <p className="muted">The brand’s images, newest first. Give each one alt text (quality checks count it) and a focal point for crops.</p>
      {missingAlt > 0 && <p className="notice">{missingAlt} of the images shown {missingAlt === 1 ? 'has' : 'have'} no alt text yet: describe {missingAlt === 1 ? 'it' : 'them'} with “Edit alt text and focal point”.</p>}
      <ErrorBox error={lib.error} onRetry={() => void lib.reload()} />
      {lib.loading && lib.assets.length === 0 && <Loading what="Loading images" />}
      {!lib.loading && !lib.error && lib.assets.length === 0 && <p className="empty">This brand has no images yet. Upload one from an image field of a variant.</p>}
      <ul className="asset-library-list">
        {lib.assets.map((a) => (
          <li key={a.id} className="card asset-item" aria-label={assetName(a)}>
            <img src={thumbnailUrl(a.id, a.renditions)} alt={a.alt ?? ''} width={160} height={107} loading="lazy" style={{ background: a.dominantColor }} />
            <div>
              <p><strong>{assetName(a)}</strong></p>
              {!a.alt?.trim() && <p className="field-error">No alt text yet.</p>}
              <p className="muted">{a.format} · {a.width}×{a.height} · {formatBytes(a.bytes)} · <span className="mono" title={a.id}>{a.id.slice(0, 8)}</span></p>
              {editor && (
                <div className="actions wrap">
                  <button type="button" className="btn btn-small" aria-expanded={open === a.id} onClick={() => setOpen(open === a.id ? null : a.id)}>
                    {open === a.id ? 'Close' : 'Edit alt text and focal point'}
                  </button>
                  <DeleteButton what="the image" confirm={`Delete the image “${assetName(a)}” from this brand’s library?`}
                    onDelete={() => request(DeleteAssetDocument, { id: a.id, brand })} onDeleted={() => void lib.reload()} />
                </div>
              )}
            </div>
            {open === a.id && (
              <AssetEditor brand={brand} id={a.id} imageUrl={devicePreviews(a.id, a.renditions)[2].url} alt={a.alt} focalX={a.focalX} focalY={a.focalY}
                onSaved={(saved) => lib.replace({ ...a, ...saved })} onCancel={() => setOpen(null)} />
            )}
          </li>
        ))}
      </ul>
      <div className="pager">
        <span className="muted">{lib.assets.length} of {lib.total} shown</span>
        {lib.hasMore && !lib.loading && <button type="button" className="btn btn-small" onClick={() => void lib.loadMore()}>Load more</button>}
      </div>
    </section>
  );
}
