import { Link } from 'react-router-dom';
import type { VariantSummaryFragment } from '../../api';
import { DataTable } from '../../ui/DataTable';
import { formatDateTime } from '../../ui/format';
import { LiveBadge, QualityScore, StatusBadge } from '../../ui/StatusBadge';
import { paths } from '../entries/paths';

interface Props {
  brand: string;
  entryKey: string;
  variants: VariantSummaryFragment[];
}

function schedule(v: VariantSummaryFragment): string {
  if (!v.startsAt && !v.endsAt) return 'always';
  return `${v.startsAt ? formatDateTime(v.startsAt) : '…'} → ${v.endsAt ? formatDateTime(v.endsAt) : '…'}`;
}

/** Every variant of an entry at a glance, highest priority first. */
export function VariantTable({ brand, entryKey, variants }: Props) {
  if (variants.length === 0) return <p className="empty">No variants yet. Without one, apps get no content for this key.</p>;
  const sorted = [...variants].sort((a, b) => b.priority - a.priority);
  return (
    <DataTable region="Variants" columns={['Variant', 'Status', 'Audience', 'Devices', 'Locale', 'Priority', 'Schedule', 'Quality']}>
      {sorted.map((v) => (
        <tr key={v.id} className={v.status === 'ARCHIVED' ? 'row-muted' : undefined}>
          <td>
            <Link to={paths.variant(brand, entryKey, v.id)}>{v.name}</Link>
            {v.tags.length > 0 && <div className="tags">{v.tags.map((t) => <span key={t} className="tag">{t}</span>)}</div>}
          </td>
          <td><StatusBadge status={v.status} review={v.brandReview} withNote /> <LiveBadge onAir={v.onAir} /></td>
          <td className="rule-text">{v.ruleText || 'everyone'}</td>
          <td>{v.devices.length ? v.devices.join(', ') : 'all'}</td>
          <td>{v.locale ?? 'default'}</td>
          <td>{v.priority}</td>
          <td className="muted">{schedule(v)}</td>
          <td><QualityScore score={v.quality.score} /></td>
        </tr>
      ))}
    </DataTable>
  );
}
