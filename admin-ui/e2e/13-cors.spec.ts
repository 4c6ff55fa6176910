/**
 * Issue #21, CORS: a browser app on another origin calls `/graphql` with a delivery key. A second
 * `vary serve --demo` of its own (so the suite's server keeps its configuration) runs with
 * `VARY_CORS_ORIGINS` naming two site origins; small static pages on three loopback ports play the
 * sites. The allowed site's page gets its answer (preflight included, since the request is JSON
 * with an Authorization header); a site not in the list is refused by the browser; a key narrowed
 * with `allowedOrigins` to the other site is refused on the first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const QUERY = '{ content(brand: "alpine", key: "home-hero") { variant { name } } }';

/** A static page on a free loopback port: one site origin. */
async function site(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>site</title><h1>A site</h1>');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Starts `vary serve --demo` with the given CORS origins; resolves with its URL and demo key. */
async function vary(origins: string[], dataDir: string): Promise<{ child: ChildProcess; base: string; key: string }> {
  const bin = process.env.VARY_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../target/debug/vary');
  const probe = await site(); // a free port for vary: take one, then give it back
  const port = Number(new URL(probe.origin).port);
  await new Promise((ok) => probe.server.close(ok));
  const logPath = join(dataDir, 'server.log');
  const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn', VARY_CORS_ORIGINS: origins.join(',') },
  });
  let log = '';
  child.stdout?.on('data', (d) => { log += d; });
  child.stderr?.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    const key = log.match(/^\s*alpine\s+(vary_dk_\S+)/m)?.[1];
    if (ready && key) return { child, base, key };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  throw new Error(`the CORS server did not start: ${log || readFileSync(logPath, 'utf8')}`);
}

/** Calls `content` from a page on ORIGIN with KEY; resolves with the variant's name or the error's text. */
async function callFrom(page: import('@playwright/test').Page, origin: string, base: string, key: string): Promise<string> {
  await page.goto(origin);
  return page.evaluate(async ({ base, key, query }) => {
    try {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query }),
      });
      const body = await res.json();
      return body.data?.content?.variant?.name ?? JSON.stringify(body);
    } catch (e) {
      return `refused: ${(e as Error).message}`;
    }
  }, { base, key, query: QUERY });
}

test('a site on an allowed origin reads content with a delivery key; other origins are refused by the browser', async ({ page, request }) => {
  test.setTimeout(120_000);
  const [allowed, other, stranger] = [await site(), await site(), await site()];
  const dataDir = mkdtempSync(join(tmpdir(), 'vary-e2e-cors-'));
  const server = await vary([allowed.origin, other.origin], dataDir);
  try {
    expect(await callFrom(page, allowed.origin, server.base, server.key)).not.toMatch(/^refused|^\{/); // a variant name, not an error body
    expect(await callFrom(page, stranger.origin, server.base, server.key)).toMatch(/^refused: Failed to fetch/);

    // A key narrowed to the other site is refused on the allowed one, and works on its own site.
    const login = await request.post(`${server.base}/graphql`, { data: { query: 'mutation { login(email: "admin@vary.demo", password: "vary-demo-2026") { token } }' } });
    const session = (await login.json()).data.login.token as string;
    const made = await request.post(`${server.base}/graphql`, {
      headers: { authorization: `Bearer ${session}` },
      data: {
        query: 'mutation ($o: [String!]) { createDeliveryKey(brand: "alpine", name: "other site", allowedOrigins: $o) { token } }',
        variables: { o: [other.origin] },
      },
    });
    const narrowed = (await made.json()).data.createDeliveryKey.token as string;
    await expect.poll(() => callFrom(page, other.origin, server.base, narrowed), { timeout: 5_000 }).not.toMatch(/^refused|^\{/);
    expect(await callFrom(page, allowed.origin, server.base, narrowed)).toMatch(/^refused: Failed to fetch/);
  } finally {
    server.child.kill('SIGTERM');
    for (const s of [allowed, other, stranger]) s.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
