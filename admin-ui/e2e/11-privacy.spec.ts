import { readFileSync } from 'node:fs';
import { apiSignIn, expect, gql, signIn, signOut, snap, test, unique, USERS } from './fixtures';

const CONTENT = 'query ($user: String!) { content(brand: "alpine", key: "home-hero", context: { device: DESKTOP, locale: "en", userKey: $user }) { servedId } }';

test('an admin sets a brand’s consent and retention in its settings', async ({ page }) => {
  await signIn(page, USERS.admin);
  await page.getByRole('banner').getByLabel('Brand').selectOption({ label: 'Nordbank' });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Brand settings' }).click();
  const privacy = page.getByRole('region', { name: 'Privacy' });
  const retention = privacy.getByLabel('Keep usage events for (days)');
  await expect(retention).toHaveValue('400');
  await expect(privacy.getByTestId('usage-kept-since')).toContainText('nothing deleted yet');

  await retention.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(privacy.getByRole('alert')).toContainText('from 1 to 36500');

  await retention.fill('365');
  await privacy.getByLabel('Require consent').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
  await snap(page, '11-brand-privacy');
  await page.reload();
  await expect(privacy.getByLabel('Keep usage events for (days)')).toHaveValue('365');
  await expect(privacy.getByLabel('Require consent')).toBeChecked();

  // Back as the demo has it (other journeys count on personalization without stated consent).
  await privacy.getByLabel('Require consent').uncheck();
  await privacy.getByLabel('Keep usage events for (days)').fill('400');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();
});

test('an auditor looks up and exports a person’s data; an admin erases it after confirming', async ({ page }) => {
  const person = unique('e2e-person');
  const admin = await apiSignIn(page.request, USERS.admin);
  const { createDeliveryKey } = await gql(page.request, admin,
    'mutation ($name: String!) { createDeliveryKey(brand: "alpine", name: $name) { token } }', { name: unique('e2e-privacy-key') });
  for (let i = 0; i < 3; i++) {
    const { content } = await gql(page.request, createDeliveryKey.token, CONTENT, { user: person });
    expect(content.servedId).toBeTruthy();
  }

  await signIn(page, USERS.auditor);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Person’s data' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Person’s data' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Find a person' });
  await form.getByLabel('Brand').selectOption({ label: 'Alpine Outfitters' });
  await form.getByLabel('User key').fill(person);
  const table = page.getByRole('table', { name: 'Person’s usage events' });
  // Impressions are stored within moments of the answer: look again until all three are there.
  await expect(async () => {
    await form.getByRole('button', { name: 'Look up' }).click();
    await expect(table.getByRole('row')).toHaveCount(4, { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
  await expect(table.getByRole('row').nth(1).getByRole('cell').nth(1)).toHaveText('IMPRESSION');
  await expect(page.getByRole('button', { name: 'Erase this person’s data' })).toHaveCount(0);

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^vary-person-data-alpine-\d{4}-\d{2}-\d{2}\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  expect(exported.brand).toBe('alpine');
  expect(exported.events).toHaveLength(3);
  expect(JSON.stringify(exported)).not.toContain(person);
  await snap(page, '11-person-data');
  await signOut(page);

  await signIn(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Person’s data' }).click();
  await form.getByLabel('Brand').selectOption({ label: 'Alpine Outfitters' });
  await form.getByLabel('User key').fill(person);
  await form.getByRole('button', { name: 'Look up' }).click();
  await expect(table.getByRole('row')).toHaveCount(4);
  await page.getByRole('button', { name: 'Erase this person’s data' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm erasing' });
  await expect(confirm).toContainText('Erase 3 usage events of this person in alpine?');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(table.getByRole('row')).toHaveCount(4);
  await page.getByRole('button', { name: 'Erase this person’s data' }).click();
  await confirm.getByRole('button', { name: 'Erase for good' }).click();
  await expect(page.getByRole('status')).toHaveText('Erased 3 usage event(s).');
  await expect(page.getByRole('heading', { name: '0 events' })).toBeVisible();
  await form.getByRole('button', { name: 'Look up' }).click();
  await expect(page.getByRole('heading', { name: '0 events' })).toBeVisible();
});
