import { Link } from 'react-router-dom';
import { PolicyImpactDocument, useQuery, type PolicyImpactQuery } from '../../api';
import { paths } from '../entries/paths';

type TakenOff = PolicyImpactQuery['policyImpact'];

export interface Impact {
  /** Whether the minimum goes up (only then can variants go off the air). */
  raised: boolean;
  /** The variants on the air now that the new minimum takes off; undefined while loading. */
  off: TakenOff | undefined;
}

/** What saving `next` (0–1) as the brand's minimum quality would take off the air. */
export function usePolicyImpact(brand: string, current: number, next: number): Impact {
  const raised = Number.isFinite(next) && next > current && next <= 1;
  const q = useQuery(PolicyImpactDocument, { brand, minQuality: raised ? next : current }, { skip: !raised });
  return { raised, off: raised ? (q.loading ? undefined : q.data?.policyImpact) : [] };
}

/** The warning shown before a higher minimum quality is saved, with a count and the variants. */
export function PolicyImpact({ brand, next, impact }: { brand: string; next: number; impact: Impact }) {
  if (!impact.raised) return null;
  const { off } = impact;
  const min = Math.round(next * 100);
  if (!off) return <p className="muted">Checking what this minimum takes off the air…</p>;
  if (off.length === 0) return <p className="muted">No live variant scores below {min}: nothing goes off the air.</p>;
  return (
    <div className="impact-warning" role="alert">
      <strong>{off.length === 1 ? '1 live variant goes' : `${off.length} live variants go`} off the air</strong> when you save:
      no audience gets a variant scoring below {min}.
      <ul>
        {off.slice(0, 10).map((v) => (
          <li key={v.variantId}>
            <Link to={paths.variant(brand, v.entryKey, v.variantId)}>{v.entryKey} · {v.variantName}</Link> (quality {Math.round(v.score * 100)})
          </li>
        ))}
        {off.length > 10 && <li>and {off.length - 10} more</li>}
      </ul>
    </div>
  );
}
