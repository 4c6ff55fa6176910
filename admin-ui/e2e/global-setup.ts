/**
 * Starts one `vary serve --demo` for the whole suite: a fresh temp data dir
 * (SQLite), a free port on 127.0.0.1, demo data loaded. Waits for /readyz.
 * The URL, pid and data dir travel to the tests and to global-teardown
 * through environment variables (both run in this runner process; workers
 * inherit its environment).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const READY_TIMEOUT_MS = 60_000;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => ok(port));
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const bin = process.env.VARY_BIN ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../target/debug/vary');
  if (!existsSync(bin)) throw new Error(`vary binary not found at ${bin} (build it, or set VARY_BIN)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'vary-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logPath = join(dataDir, 'server.log');
  const log = createWriteStream(logPath);

  const child = spawn(bin, ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Private targets allowed: the webhook journey's receiver listens on loopback.
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', VARY_WEBHOOKS_ALLOW_PRIVATE: 'true' },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: number | null = null;
  child.on('exit', (code) => { exited = code ?? -1; });
  // Never leave the server behind, even if the runner dies before teardown.
  process.on('exit', () => { if (exited === null) child.kill('SIGTERM'); });

  process.env.VARY_E2E_URL = base;
  process.env.VARY_E2E_PID = String(child.pid);
  process.env.VARY_E2E_DATA_DIR = dataDir;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`vary serve exited with code ${exited} before it was ready`);
    }
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`vary serve did not answer 200 on /readyz within ${READY_TIMEOUT_MS / 1000} s (log: ${logPath})`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
