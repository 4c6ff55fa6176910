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

/** Why the last attempt failed, as a sentence that says what to check; null when it did not fail. */
export function failureInWords(d: { lastStatus?: number | null; lastError?: string | null }): string | null {
  const status = d.lastStatus;
  if (status != null) {
    if (status >= 200 && status < 300) return null;
    if (status >= 300 && status < 400) return `The receiver answered with a redirect (HTTP ${status}), which Vary does not follow: register the final address.`;
    if (status === 401 || status === 403) return `The receiver refused the request (HTTP ${status}): check that it accepts Vary’s signature.`;
    if (status === 404 || status === 410) return `The receiver has no such address (HTTP ${status}): check the URL.`;
    if (status >= 500) return `The receiver failed with a server error (HTTP ${status}): check the receiving service, then send again.`;
    return `The receiver refused the delivery (HTTP ${status}).`;
  }
  const error = d.lastError;
  if (!error) return null;
  const lower = error.toLowerCase();
  if (lower.includes('private') || lower.includes('loopback')) return 'The address leads to a private or loopback network, which Vary refuses to contact.';
  if (lower.includes('refused')) return 'Nothing answered at that address (connection refused): check that the receiver is running.';
  if (lower.includes('timed out') || lower.includes('timeout')) return 'The receiver did not answer in time (10 seconds): check that it is reachable and quick.';
  if (lower.includes('dns') || lower.includes('resolve') || lower.includes('lookup')) return 'The receiver’s host name could not be found: check the address.';
  return `The delivery could not be sent: ${error}`;
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
