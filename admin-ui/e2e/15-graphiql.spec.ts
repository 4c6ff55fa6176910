import { expect, test } from './fixtures';

test('GraphiQL loads from the binary alone: no request leaves the server’s origin, no CSP violation', async ({ page }) => {
  const base = new URL(process.env.VARY_E2E_URL!).origin;
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) elsewhere.push(url);
  });
  await page.goto(`${base}/graphql`);
  await expect(page.locator('.graphiql-container')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: /Execute query/ })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(elsewhere).toEqual([]);
});
