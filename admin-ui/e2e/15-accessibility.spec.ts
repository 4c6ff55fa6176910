/**
 * The main pages at 1440 and 390 px: an axe-core pass (no serious or critical violation) and a
 * full-page screenshot of each under admin-ui/target/screenshots/ (git-ignored) for reviewers.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { draftExperimentPath } from './experiments';
import { apiSignIn, expect, signIn, test, ui, USERS } from './fixtures';

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'screenshots');

const PAGES: { name: string; path: string; heading: RegExp }[] = [
  { name: 'entries', path: 'b/alpine/entries', heading: /entries/ },
  { name: 'entry', path: 'b/alpine/entries/home-hero', heading: /home-hero/ },
  { name: 'review-queue', path: 'review', heading: /Waiting for review/ },
  { name: 'brand-settings', path: 'b/alpine/settings', heading: /Brand settings/ },
  { name: 'usage', path: 'usage', heading: /Usage/ },
  { name: 'audit', path: 'audit', heading: /Audit/ },
  { name: 'webhooks', path: 'webhooks', heading: /Webhooks/ },
  { name: 'users', path: 'users', heading: /Users/ },
  { name: 'content-types', path: 'b/alpine/content-types', heading: /Content types/ },
  { name: 'audiences', path: 'b/alpine/audiences', heading: /Audiences/ },
  { name: 'asset-library', path: 'b/alpine/assets', heading: /Asset library/ },
];

for (const width of [1440, 390]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: 900 } });

    test('the main pages pass axe without serious or critical violations, and are photographed', async ({ page }) => {
      test.setTimeout(120_000);
      mkdirSync(SHOTS, { recursive: true });
      await signIn(page, USERS.admin);
      const found: string[] = [];
      const report = await draftExperimentPath(page.request, await apiSignIn(page.request, USERS.admin));
      for (const p of [...PAGES, { name: 'experiment-report', path: report, heading: /^Experiment “Holdout/ }]) {
        await page.goto(ui(p.path));
        await expect(page.getByRole('heading', { level: 1, name: p.heading })).toBeVisible();
        await page.waitForLoadState('networkidle');
        await page.screenshot({ path: join(SHOTS, `${p.name}-${width}.png`), fullPage: true });
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            found.push(`${p.name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
          }
        }
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  });
}
