import { describeError, RedeliverWebhookDocument, useMutation, type WebhooksQuery } from '../../api';
import { DataTable } from '../../ui/DataTable';
import { formatDateTime } from '../../ui/format';
import { deliveryBadge, failureInWords, lastAttempt } from './webhooks';

type Webhook = WebhooksQuery['webhooks'][number];
type Delivery = Webhook['deliveries'][number];

/** A webhook's latest deliveries; a failed one says why in words and can be sent again. */
export function WebhookDeliveries({ hook, onChanged }: { hook: Webhook; onChanged: () => void }) {
  const redeliver = useMutation(RedeliverWebhookDocument);

  async function sendAgain(d: Delivery) {
    if (await redeliver.run({ deliveryId: d.id })) onChanged();
  }

  if (hook.deliveries.length === 0) return <p className="muted">No deliveries yet: nothing has been published since it was added.</p>;
  const failed = hook.deliveries.filter((d) => d.status === 'FAILED').length;
  return (
    <>
      {failed > 0 && (
        <p className="field-error">
          {failed === 1 ? 'One delivery' : `${failed} deliveries`} failed after every retry. Fix what the reason below names, then choose “Send again”.
        </p>
      )}
      {redeliver.error != null && <p className="field-error" role="alert">Could not send it again: {describeError(redeliver.error)}</p>}
      <DataTable
        region={`Deliveries to ${hook.url}`}
        label={`Recent deliveries to ${hook.url}`}
        columns={['Event', 'Status', 'Attempts', 'Last attempt', 'Queued', 'Delivered / next try', <span key="a" className="sr-only">Actions</span>]}
      >
        {hook.deliveries.map((d) => {
          const badge = deliveryBadge(d.status);
          const reason = d.status === 'DELIVERED' || d.attempts === 0 ? null : failureInWords(d);
          return (
            <tr key={d.id}>
              <td>{d.event}</td>
              <td><span className={`badge badge-${badge.tone}`}>{badge.label}</span></td>
              <td>{d.attempts}</td>
              <td className="wrap-anywhere">
                <code>{lastAttempt(d)}</code>
                {reason && <div className="webhook-reason">{reason}</div>}
              </td>
              <td>{formatDateTime(d.createdAt)}</td>
              <td>{d.deliveredAt ? formatDateTime(d.deliveredAt) : d.status === 'PENDING' ? <span className="muted">next {formatDateTime(d.nextAttemptAt)}</span> : '—'}</td>
              <td>
                {d.status === 'FAILED' && (
                  <button type="button" className="btn btn-small" disabled={redeliver.busy} onClick={() => void sendAgain(d)}>Send again</button>
                )}
              </td>
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}
