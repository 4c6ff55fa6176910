/**
 * Browser hardening: the admin UI answers with a strict Content-Security-Policy (no inline script,
 * its own origin only), `frame-ancestors 'none'` and `nosniff`; a page elsewhere cannot frame it;
 * and a violation is caught (the guard every journey runs under, in fixtures.ts, does see one).
 */
import { CSP_MESSAGE, expect, signIn, test, ui, USERS, watchCsp } from './fixtures';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...sources] = d.split(/\s+/);
    return [name, sources] as [string, string[]];
  }));
}

test('the admin UI and its assets carry a strict Content-Security-Policy, nosniff and no framing', async ({ page }) => {
  const document = await page.goto(ui('login'));
  expect(document?.status()).toBe(200);
  const assets: string[] = [];
  page.on('response', (r) => { if (new URL(r.url()).pathname.startsWith('/admin/assets/')) assets.push(r.url()); });
  await page.reload();
  await expect(page.getByLabel('Email')).toBeVisible();
  expect(assets.length, 'the UI loads its script and stylesheet').toBeGreaterThanOrEqual(2);

  for (const url of [page.url(), ...assets]) {
    const res = await page.request.get(url);
    const headers = res.headers();
    expect(headers['x-content-type-options'], url).toBe('nosniff');
    const csp = directives(headers['content-security-policy'] ?? '');
    expect(csp.get('default-src'), url).toEqual(["'self'"]);
    expect(csp.get('script-src'), url).toEqual(["'self'"]);
    expect(csp.get('style-src'), url).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors'), url).toEqual(["'none'"]);
    expect(csp.get('object-src'), url).toEqual(["'none'"]);
  }
});

test('the signed-in pages render under the policy', async ({ page }) => {
  // The fixture's guard fails this test on any violation; here every page of the menu is visited.
  await signIn(page, USERS.admin);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const hrefs = await nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  expect(hrefs.length).toBeGreaterThan(3);
  for (const href of hrefs) {
    await nav.locator(`a[href="${href}"]`).click();
    await expect(page).toHaveURL(new RegExp(`${href.replace(/[/.]/g, '\\$&')}$`));
    await expect(page.locator('main h1').first()).toBeVisible();
    await page.waitForLoadState('networkidle');
  }
});

test('a page on another origin cannot frame the admin UI', async ({ browser, baseURL }) => {
  // A page of its own: the violation it causes on purpose is not the admin UI's.
  const page = await browser.newPage();
  const messages: string[] = [];
  page.on('console', (msg) => messages.push(msg.text()));
  await page.setContent(`<iframe id="victim" src="${baseURL}login" width="600" height="400"></iframe>`);
  const frame = page.frameLocator('#victim');
  await expect.poll(() => messages.some((m) => m.includes('frame-ancestors')), { timeout: 10_000 }).toBe(true);
  await expect(frame.getByLabel('Email')).toHaveCount(0);
  await page.close();
});

test('the guard sees a violation: an injected inline script is blocked and reported', async ({ browser, baseURL }) => {
  const page = await browser.newPage({ baseURL });
  const violations = await watchCsp(page);
  await page.goto(ui('login'));
  await expect(page.getByLabel('Email')).toBeVisible();
  const ran = await page.evaluate(() => {
    const w = window as unknown as { injected?: boolean };
    const script = document.createElement('script');
    script.textContent = 'window.injected = true;';
    document.body.appendChild(script);
    return w.injected === true;
  });
  expect(ran, 'the inline script did not run').toBe(false);
  await expect.poll(() => violations.length).toBeGreaterThan(0);
  expect(violations.join('\n')).toContain(CSP_MESSAGE);
  await page.close();
});
