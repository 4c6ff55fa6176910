import { Link } from 'react-router-dom';
import { ReviewQueueDocument, useQuery } from '../../api';
import { DataTable } from '../../ui/DataTable';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatAge, formatDateTime } from '../../ui/format';
import { Loading } from '../../ui/Loading';
import { QualityScore } from '../../ui/StatusBadge';
import { paths } from '../entries/paths';
import { useSession } from '../session/SessionContext';

/** "Waiting for review": what the caller may approve or reject now, across their brands, longest waiting first. */
export function ReviewQueuePage() {
  const { brands } = useSession();
  const q = useQuery(ReviewQueueDocument, {});
  const brandName = (slug: string) => brands.find((b) => b.slug === slug)?.name ?? slug;
  const items = q.data?.reviewQueue;
  return (
    <section className="page">
      <h1>Waiting for review</h1>
      <p className="muted">Variants submitted in your brands that you may approve or reject. Your own revisions are not listed: someone else reviews them.</p>
      <ErrorBox error={q.error} onRetry={q.reload} />
      {q.loading && !items && <Loading what="Loading the review queue" />}
      {items && items.length === 0 && <p className="empty">Nothing is waiting for your review.</p>}
      {items && items.length > 0 && (
        <DataTable region="Review queue" label="Waiting for review" columns={['Variant', 'Entry', 'Brand', 'Author', 'Waiting', 'Quality']}>
          {items.map((i) => (
            <tr key={i.variant.id}>
              <td><Link to={paths.variant(i.brand, i.entryKey, i.variant.id)}>{i.variant.name}</Link></td>
              <td>{i.entryKey}</td>
              <td>{brandName(i.brand)}</td>
              <td>{i.author}</td>
              <td title={formatDateTime(i.submittedAt)}>{formatAge(i.submittedAt)}</td>
              <td><QualityScore score={i.variant.quality.score} /></td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
