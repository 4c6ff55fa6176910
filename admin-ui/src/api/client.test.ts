import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchFile, request, UNAUTHENTICATED_EVENT } from './client';
import { ApiError, describeError } from './errors';
import { MeDocument } from './gen/graphql';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function answer(body: unknown, status = 200) {
  return vi.fn().mockResolvedValue(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

describe('request', () => {
  let events: string[];
  beforeEach(() => {
    events = [];
    vi.stubGlobal('localStorage', memoryStorage());
    vi.stubGlobal('window', { dispatchEvent: (e: Event) => events.push(e.type) });
    localStorage.setItem('vary.token', 'tok');
  });
  afterEach(() => vi.unstubAllGlobals());

  it('posts the document with the bearer token and returns data', async () => {
    const fetch = answer({ data: { me: { id: '1', email: 'a@b', role: 'ADMIN', brands: [] } } });
    vi.stubGlobal('fetch', fetch);
    const data = await request(MeDocument);
    expect(data.me?.email).toBe('a@b');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/graphql');
    expect(init.headers.Authorization).toBe('Bearer tok');
    expect(JSON.parse(init.body).query).toContain('query Me');
  });

  it('turns extensions.code into an ApiError', async () => {
    vi.stubGlobal('fetch', answer({ data: null, errors: [{ message: 'stale version', extensions: { code: 'CONFLICT' } }] }));
    await expect(request(MeDocument)).rejects.toMatchObject({ code: 'CONFLICT', message: 'stale version' });
  });

  it('forgets the token and tells the app when the session is refused (401 UNAUTHENTICATED)', async () => {
    vi.stubGlobal('fetch', answer({ data: null, errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] }, 401));
    await expect(request(MeDocument)).rejects.toBeInstanceOf(ApiError);
    expect(localStorage.getItem('vary.token')).toBeNull();
    expect(events).toEqual([UNAUTHENTICATED_EVENT]);
  });

  it('keeps the session when only an operation says UNAUTHENTICATED (a wrong current password)', async () => {
    vi.stubGlobal('fetch', answer({ data: null, errors: [{ message: 'the current password is wrong', extensions: { code: 'UNAUTHENTICATED' } }] }));
    await expect(request(MeDocument)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(localStorage.getItem('vary.token')).toBe('tok');
    expect(events).toEqual([]);
  });

  it('reports an unreachable server as NETWORK', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('failed')));
    const err = await request(MeDocument).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NETWORK' });
    expect(describeError(err)).toMatch(/Could not reach/);
  });

  it('reports a non-GraphQL 503 as UNAVAILABLE', async () => {
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('busy', { status: 503 })));
    await expect(request(MeDocument)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('fetchFile', () => {
  let events: string[];
  beforeEach(() => {
    events = [];
    vi.stubGlobal('localStorage', memoryStorage());
    vi.stubGlobal('window', { dispatchEvent: (e: Event) => events.push(e.type) });
    localStorage.setItem('vary.token', 'tok');
  });
  afterEach(() => vi.unstubAllGlobals());

  it('GETs with the bearer token and returns the body as a Blob', async () => {
    const fetch = vi.fn().mockResolvedValue(new Response('at,actor\n', { status: 200, headers: { 'content-type': 'text/csv' } }));
    vi.stubGlobal('fetch', fetch);
    const blob = await fetchFile('/api/reports/audit?format=csv');
    expect(await blob.text()).toBe('at,actor\n');
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/reports/audit?format=csv');
    expect(init.headers.Authorization).toBe('Bearer tok');
  });

  it('turns the REST error body into an ApiError with its words', async () => {
    vi.stubGlobal('fetch', answer({ error: { code: 'BAD_INPUT', message: '`from` must not be after `to`' } }, 400));
    const err = await fetchFile('/api/reports/audit').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: '`from` must not be after `to`' });
    expect(describeError(err)).toBe('“from” must not be after “to”. Correct it and try again.');
  });

  it('forgets the token on 401 and says FORBIDDEN on a bare 403', async () => {
    vi.stubGlobal('fetch', answer({ error: { code: 'UNAUTHENTICATED', message: 'expired' } }, 401));
    await expect(fetchFile('/x')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(localStorage.getItem('vary.token')).toBeNull();
    expect(events).toEqual([UNAUTHENTICATED_EVENT]);
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response('no', { status: 403 })));
    await expect(fetchFile('/x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('describeError', () => {
  it('keeps the request id of an INTERNAL error', () => {
    expect(describeError(new ApiError('INTERNAL', 'x', { requestId: 'req-42' }))).toContain('req-42');
    expect(describeError(new ApiError('INTERNAL', 'internal error (request id ab12cd34)'))).toContain('ab12cd34');
  });
});
