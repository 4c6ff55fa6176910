/** Webhooks as plain values: form checks, delivery states in words, the signature recipe. */
import type { WebhookEvent } from '../../api';

export const EVENTS: { event: WebhookEvent; label: string; help: string }[] = [
  { event: 'PUBLISHED', label: 'Published', help: 'a variant starts being served' },
  { event: 'UNPUBLISHED', label: 'Unpublished', help: 'a variant stops being served' },
  { event: 'ARCHIVED', label: 'Archived', help: 'a variant is retired for good' },
];

/** What is wrong with a new webhook before asking the server, or null. */
export function webhookProblem(url: string, events: WebhookEvent[]): string | null {
  const raw = url.trim();
  if (!raw) return 'Enter the address to notify.';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return 'Enter a full address, like https://example.com/hooks/vary.';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'The address must start with https:// (or http://).';
  if (events.length === 0) return 'Choose at least one event.';
  return null;
}

export interface DeliveryBadge {
  label: string;
  /** A CSS modifier: badge-<tone>. */
  tone: 'live' | 'in_review' | 'failed' | 'muted';
}

export function deliveryBadge(status: string): DeliveryBadge {
  switch (status.toUpperCase()) {
    case 'DELIVERED':
      return { label: 'Delivered', tone: 'live' };
    case 'PENDING':
      return { label: 'Pending', tone: 'in_review' };
    case 'FAILED':
      return { label: 'Failed', tone: 'failed' };
    default:
      return { label: status, tone: 'muted' };
  }
}

/** The last attempt in words: `HTTP 500: connection reset`, `HTTP 204`, `no answer: timeout`, or '—'. */
export function lastAttempt(d: { lastStatus?: number | null; lastError?: string | null; attempts: number }): string {
  if (d.attempts === 0) return 'not tried yet';
  const status = d.lastStatus != null ? `HTTP ${d.lastStatus}` : null;
  if (status && d.lastError) return d.lastError.startsWith(status) ? d.lastError : `${status}: ${d.lastError}`;
  if (status) return status;
  if (d.lastError) return `no answer: ${d.lastError}`;
  return '—';
}

/** How a receiver checks a delivery, as a short Node.js snippet. */
export const VERIFY_SNIPPET = `import { createHmac, timingSafeEqual } from 'node:crypto';

// rawBody: the request body exactly as received (bytes, not re-serialised JSON)
function isFromVary(headers, rawBody, secret) {
  const timestamp = headers['x-vary-timestamp'];
  const expected = 'sha256=' + createHmac('sha256', secret).update(\`\${timestamp}.\${rawBody}\`).digest('hex');
  const given = String(headers['x-vary-signature'] ?? '');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}`;
