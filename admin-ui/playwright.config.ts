/**
 * Browser end-to-end tests of the admin UI (`npm run e2e`).
 *
 * global-setup starts the built `vary serve --demo` (VARY_BIN, default ../target/debug/vary) on a free
 * port with a throw-away data dir; the UI is the one embedded in that binary, at /admin/. Chromium is
 * the system's (CHROMIUM_PATH, default /usr/bin/chromium): Playwright's own browsers are never downloaded.
 * All tests share the one server, so they run one at a time and each uses its own entry keys and names.
 */
import { defineConfig } from '@playwright/test';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    },
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
