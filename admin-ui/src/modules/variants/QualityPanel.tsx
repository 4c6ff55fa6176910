import type { VariantFullFragment } from '../../api';
import { toPercent } from '../../ui/quality';
import { QualityScore } from '../../ui/StatusBadge';
import { checkKindLabel } from './qualityPlacement';
import type { Brand } from '../session/SessionContext';

export function QualityPanel({ variant, brand }: { variant: VariantFullFragment; brand: Brand }) {
  const { score, checks } = variant.quality;
  const below = score < brand.policy.minQuality;
  return (
    <section className="card" aria-labelledby="q-title">
      <h2 id="q-title">Quality <QualityScore score={score} /></h2>
      {below && <p className="notice">Below the brand’s minimum ({toPercent(brand.policy.minQuality)} of 100): no audience gets this variant.</p>}
      {checks.length === 0 ? (
        <p className="muted">All checks pass.</p>
      ) : (
        <ul className="checks-list">
          {checks.map((c, i) => (
            <li key={i} className={`check-${c.severity.toLowerCase()}`}>
              <span className="badge">{c.severity}</span> <strong>{checkKindLabel(c.kind)}:</strong> {c.message}
              {c.path && <code className="muted"> {c.path}</code>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
