import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryBadge, failureInWords, lastAttempt, VERIFY_SNIPPET, webhookProblem } from './webhooks';

describe('webhookProblem', () => {
  it('accepts an https address with an event', () => {
    expect(webhookProblem('https://example.com/hooks', ['PUBLISHED'])).toBeNull();
  });

  it('asks for an address, a full one, over http(s), and an event', () => {
    expect(webhookProblem(' ', ['PUBLISHED'])).toMatch(/Enter the address/);
    expect(webhookProblem('example.com/hooks', ['PUBLISHED'])).toMatch(/full address/);
    expect(webhookProblem('ftp://example.com', ['PUBLISHED'])).toMatch(/https:\/\//);
    expect(webhookProblem('https://example.com', [])).toMatch(/at least one event/);
  });
});

describe('deliveries in words', () => {
  it('gives each state a badge', () => {
    expect(deliveryBadge('DELIVERED')).toEqual({ label: 'Delivered', tone: 'live' });
    expect(deliveryBadge('FAILED').tone).toBe('failed');
    expect(deliveryBadge('PENDING').label).toBe('Pending');
    expect(deliveryBadge('ODD')).toEqual({ label: 'ODD', tone: 'muted' });
  });

  it('describes the last attempt', () => {
    expect(lastAttempt({ attempts: 0 })).toBe('not tried yet');
    expect(lastAttempt({ attempts: 2, lastStatus: 500, lastError: 'server error' })).toBe('HTTP 500: server error');
    expect(lastAttempt({ attempts: 1, lastStatus: 204 })).toBe('HTTP 204');
    expect(lastAttempt({ attempts: 3, lastStatus: 500, lastError: 'HTTP 500' })).toBe('HTTP 500');
    expect(lastAttempt({ attempts: 3, lastError: 'timed out' })).toBe('no answer: timed out');
  });
});

describe('the verification snippet', () => {
  it('computes sha256= + hex HMAC over "timestamp.body"', async () => {
    const secret = 'whsec_test';
    const body = '{"event":"PUBLISHED"}';
    const timestamp = '1767225600';
    const signature = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    // Run the snippet as shown to people (ES module text → a function).
    const src = VERIFY_SNIPPET.replace(/^import .*$/m, '') + '\nreturn isFromVary;';
    const { timingSafeEqual } = await import('node:crypto');
    const make = new Function('createHmac', 'timingSafeEqual', 'Buffer', src) as (...a: unknown[]) => (h: Record<string, string>, b: string, s: string) => boolean;
    const isFromVary = make(createHmac, timingSafeEqual, Buffer);
    expect(isFromVary({ 'x-vary-timestamp': timestamp, 'x-vary-signature': signature }, body, secret)).toBe(true);
    expect(isFromVary({ 'x-vary-timestamp': timestamp, 'x-vary-signature': signature }, body + ' ', secret)).toBe(false);
  });
});

describe('failureInWords', () => {
  it('says what an HTTP answer means and what to check', () => {
    expect(failureInWords({ lastStatus: 500, lastError: 'HTTP 500' })).toBe('The receiver failed with a server error (HTTP 500): check the receiving service, then send again.');
    expect(failureInWords({ lastStatus: 404, lastError: 'HTTP 404' })).toMatch(/no such address .*check the URL/);
    expect(failureInWords({ lastStatus: 401, lastError: 'HTTP 401' })).toMatch(/signature/);
    expect(failureInWords({ lastStatus: 301, lastError: 'HTTP 301' })).toMatch(/redirect/);
  });

  it('explains a request that got no answer', () => {
    expect(failureInWords({ lastError: 'http://x:1/hook: Connection Failed: Connect error: Connection refused (os error 111)' })).toMatch(/^Nothing answered/);
    expect(failureInWords({ lastError: 'Network Error: timed out reading response' })).toMatch(/in time/);
    expect(failureInWords({ lastError: 'Dns Failed: resolved to a private address' })).toMatch(/private or loopback/);
    expect(failureInWords({ lastError: 'something odd' })).toBe('The delivery could not be sent: something odd');
  });

  it('is silent when nothing failed', () => {
    expect(failureInWords({ lastStatus: 200 })).toBeNull();
    expect(failureInWords({})).toBeNull();
  });
});
