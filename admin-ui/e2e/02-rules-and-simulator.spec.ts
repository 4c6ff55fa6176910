import { expect, signIn, snap, test, unique, USERS } from './fixtures';
import type { Locator, Page } from '@playwright/test';

interface Condition {
  attr: string;
  /** The operator as the builder labels it. */
  op: 'is' | 'is one of';
  values: string[];
}

/** From the entry page: a new variant with a title and, optionally, a rule of one condition made in the builder; then publish it. */
async function createAndPublishVariant(page: Page, entryKey: string, name: string, title: string, rule: Condition | null) {
  await page.getByRole('link', { name: 'New variant' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New variant' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('textbox', { name: /^title/ }).fill(title);

  const audience = page.getByRole('region', { name: 'Audience' });
  if (rule) {
    await audience.getByRole('button', { name: 'Target an audience' }).click();
    await audience.getByRole('combobox', { name: 'Attribute', exact: true }).fill(rule.attr);
    await audience.getByRole('combobox', { name: 'Operator', exact: true }).selectOption({ label: rule.op });
    if (rule.op === 'is') {
      await audience.getByRole('textbox', { name: `${rule.attr} value`, exact: true }).fill(rule.values[0]);
    } else {
      for (const [i, v] of rule.values.entries()) {
        if (i > 0) await audience.getByRole('button', { name: '+ value' }).click();
        await audience.getByRole('textbox', { name: `${rule.attr} value ${i + 1}`, exact: true }).fill(v);
      }
    }
    const shown = rule.values.map((v) => JSON.stringify(v));
    const text = rule.op === 'is' ? `${rule.attr} is ${shown[0]}` : `${rule.attr} is one of [${shown.join(', ')}]`;
    await expect(audience.getByRole('paragraph').filter({ hasText: 'Shown to:' })).toContainText(text);
  } else {
    await expect(audience.getByRole('paragraph').filter({ hasText: 'Shown to:' })).toContainText(/everyone/i);
  }

  await page.getByRole('button', { name: 'Create variant' }).click();
  await expect(page).toHaveURL(/\/variants\/(?!new$)[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const workflow = page.getByRole('region', { name: 'Workflow' });
  await expect(workflow.getByText('Draft', { exact: true })).toBeVisible();
  // Alpine does not require approval: an editor publishes directly.
  await workflow.getByRole('button', { name: 'Publish' }).click();
  await expect(workflow.getByText('Published', { exact: true })).toBeVisible();
  await expect(workflow.getByText('● Live')).toBeVisible();

  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: entryKey }).click();
  await expect(page.getByRole('heading', { level: 1, name: entryKey })).toBeVisible();
}

async function simulate(page: Page, segment: string) {
  const sim = page.getByRole('region', { name: 'Audience simulator' });
  await sim.getByRole('textbox', { name: 'Attribute 1 name' }).fill('segment');
  await sim.getByRole('textbox', { name: 'Attribute 1 value', exact: true }).fill(segment);
  await sim.getByRole('button', { name: 'Show what they get' }).click();
  return sim;
}

test('editor builds rules visually, publishes, and the simulator picks the right variant', async ({ page }) => {
  const key = unique('e2e-rules');
  const skier = `Skier ${key}`;
  const hiker = `Hiker ${key}`;
  const everyone = `Everyone ${key}`;

  await signIn(page, USERS.editor);
  await page.getByRole('combobox', { name: 'Brand' }).selectOption({ label: 'Alpine Outfitters' });
  await expect(page).toHaveURL(/\/admin\/b\/alpine\/entries$/);

  // A new entry.
  await page.getByRole('button', { name: 'New entry' }).click();
  const form = page.getByRole('form', { name: 'New entry' });
  await form.getByLabel('Key').fill(key);
  await form.getByLabel('Description (optional)').fill('made by the e2e suite');
  await form.getByRole('button', { name: 'Create entry' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/b/alpine/entries/${key}$`));
  await expect(page.getByRole('heading', { level: 1, name: key })).toBeVisible();
  await expect(page.getByText('No variants yet.')).toBeVisible();

  // Three variants, rules made in the visual builder, each published.
  await createAndPublishVariant(page, key, skier, 'Fresh powder', { attr: 'segment', op: 'is one of', values: ['skier'] });
  await createAndPublishVariant(page, key, hiker, 'Trails are open', { attr: 'segment', op: 'is', values: ['hiker'] });
  await createAndPublishVariant(page, key, everyone, 'Welcome', null);

  const table = page.getByRole('table');
  await expect(table.getByRole('row')).toHaveCount(4);
  for (const name of [skier, hiker, everyone]) {
    const row = table.getByRole('row').filter({ has: page.getByRole('link', { name }) });
    await expect(row.getByText('Published')).toBeVisible();
    await expect(row.getByText('● Live')).toBeVisible();
  }
  await expect(table.getByRole('row').filter({ hasText: everyone })).toContainText('everyone');

  // segment = skier → the skier variant wins; every candidate is listed with its reasons.
  let sim = await simulate(page, 'skier');
  await expect(sim.getByRole('heading', { level: 3, name: `Winner: ${skier}` })).toBeVisible();
  let candidates = candidateItems(sim);
  await expect(candidates).toHaveCount(3);
  await expect(candidates.nth(0)).toContainText(skier);
  await expect(candidates.nth(0)).toContainText('winner');
  await expectCandidate(candidates, skier, 'eligible', /matched segment in \[skier\]/);
  await expectCandidate(candidates, everyone, 'eligible', /targets everyone/);
  await expectCandidate(candidates, hiker, 'not eligible', /rule failed: segment eq hiker/);
  await expect(sim.getByText(/matched segment in \[skier\]/).first()).toBeVisible();
  await snap(page, '02-simulator-skier');

  // segment = hiker → the hiker variant wins.
  sim = await simulate(page, 'hiker');
  await expect(sim.getByRole('heading', { level: 3, name: `Winner: ${hiker}` })).toBeVisible();
  candidates = candidateItems(sim);
  await expect(candidates).toHaveCount(3);
  await expectCandidate(candidates, hiker, 'eligible', /matched segment eq hiker/);
  await expectCandidate(candidates, everyone, 'eligible', /targets everyone/);
  await expectCandidate(candidates, skier, 'not eligible', /rule failed: segment in \[skier\]/);
  await snap(page, '02-simulator-hiker');
});

/** The simulator's candidates: the list items that link to a variant (their reasons are nested items without links). */
function candidateItems(sim: Locator): Locator {
  return sim.getByRole('listitem').filter({ has: sim.page().getByRole('link') });
}

async function expectCandidate(candidates: Locator, name: string, eligibility: 'eligible' | 'not eligible', reason: RegExp) {
  const item = candidates.filter({ has: candidates.page().getByRole('link', { name, exact: true }) });
  await expect(item).toHaveCount(1);
  // Screen readers get the verdict in words (sighted people see ✓ / ✗).
  await expect(item.getByText(eligibility, { exact: true })).toBeAttached();
  const reasons = item.getByRole('listitem');
  await expect(reasons.first()).toBeVisible();
  await expect(reasons.filter({ hasText: reason })).toHaveCount(1);
}
