/**
 * Shared helpers: the server's URL (set by global-setup), signing in, unique names, screenshots.
 */
import { expect, test as base, type APIRequestContext, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PASSWORD = 'vary-demo-2026';
export const USERS = {
  admin: 'admin@vary.demo',
  editor: 'editor@vary.demo',
  reviewer: 'reviewer@vary.demo',
  auditor: 'auditor@vary.demo',
  alpineEditor: 'alpine.editor@vary.demo',
} as const;

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** The words every CSP violation report carries: Chromium's console messages ("Refused to … because it
 * violates the following Content Security Policy directive …") and the reports `watchCsp` makes of the
 * `securitypolicyviolation` event (Chromium does not pass every violation to the console event). */
export const CSP_MESSAGE = 'Content Security Policy';

/**
 * Collects every Content-Security-Policy violation on `page`: the browser's console messages and
 * the `securitypolicyviolation` events of every document the page loads.
 */
export async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (msg.text().includes(CSP_MESSAGE)) violations.push(msg.text());
  });
  await page.exposeFunction('__varyCspViolation', (text: string) => { violations.push(text); });
  await page.addInitScript((prefix: string) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const text = `${prefix} violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`;
      (window as unknown as { __varyCspViolation(t: string): void }).__varyCspViolation(text);
    });
  }, CSP_MESSAGE);
  return violations;
}

export const test = base.extend<{ cspGuard: void }>({
  // The server's address is only known once global-setup has picked a free port.
  baseURL: async ({}, use) => {
    const url = process.env.VARY_E2E_URL;
    if (!url) throw new Error('VARY_E2E_URL is not set: run through `npm run e2e` (global-setup starts the server)');
    await use(`${url}/admin/`);
  },
  // Every journey runs under the admin UI's strict Content-Security-Policy: any violation it
  // causes (a blocked script, style, image or request) fails the test that caused it.
  cspGuard: [async ({ page }, use) => {
    const violations = await watchCsp(page);
    await use();
    expect(violations, 'the admin UI broke its Content-Security-Policy').toEqual([]);
  }, { auto: true }],
});
export { expect };

/** A suffix that keeps this run's keys and names apart from every other test's and run's. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** An admin-UI path (without the leading slash) relative to baseURL `/admin/`. */
export const ui = (path = '') => path.replace(/^\//, '');

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto(ui('login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('banner').getByText(email)).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Vary' })).toBeVisible();
}

export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * One GraphQL operation against the server under test, as the holder of `token` (a session's or a
 * delivery key's; null for none). Any GraphQL error fails the test; the answer's `data` comes back.
 */
export async function gql<T = any>(request: APIRequestContext, token: string | null, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await request.post('/graphql', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    data: { query, variables },
  });
  const body = await res.json();
  expect(body.errors, `GraphQL errors for ${query.trim().split(/\s+/).slice(0, 3).join(' ')}…`).toBeUndefined();
  expect(res.ok()).toBeTruthy();
  return body.data as T;
}

/** A session token through the API (`login`), for setting up data the journey itself does not make. */
export async function apiSignIn(request: APIRequestContext, email: string, password = PASSWORD): Promise<string> {
  const data = await gql<{ login: { token: string } }>(request, null,
    'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }', { email, password });
  return data.login.token;
}
