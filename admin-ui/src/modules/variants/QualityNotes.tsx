import { Link, useParams } from 'react-router-dom';
import { paths } from '../entries/paths';
import type { CheckLike } from './qualityPlacement';
import { checkKindLabel } from './qualityPlacement';

const SEVERITY = { ERROR: 'Error', WARNING: 'Warning', INFO: 'Note' } as const;

/** Quality checks shown where they apply (beside the rule builder, above or under fields). */
export function QualityNotes({ checks, stale, label }: { checks: CheckLike[]; stale: boolean; label: string }) {
  const { brand } = useParams();
  if (checks.length === 0) return null;
  return (
    <ul className="quality-notes" aria-label={label}>
      {checks.map((c, i) => (
        <li key={`${c.kind}-${i}`} className={`check-${c.severity.toLowerCase()}`}>
          <span className="badge">{SEVERITY[c.severity] ?? c.severity}</span> <strong>{checkKindLabel(c.kind)}:</strong> {c.message}
          {c.kind === 'asset_alt' && brand && <> <Link to={paths.assets(brand)}>Add alt text in the asset library</Link>.</>}
          {stale && <span className="muted"> (as last saved)</span>}
        </li>
      ))}
    </ul>
  );
}
