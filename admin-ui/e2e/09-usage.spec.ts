import { readFileSync } from 'node:fs';
import { apiSignIn, expect, gql, signIn, snap, test, unique, USERS } from './fixtures';

const CSV_HEADER = 'entryKey,variantId,variantName,revision,device,day,locale,experimentId,experimentName,armId,armName,impressions,clicks,conversions,conversionValue,ctr,conversionRate';
const IMPRESSIONS = 5;

test('delivered content shows up in the usage dashboard and the usage CSV of an auditor', async ({ page }) => {
  const key = unique('e2e-usage');
  const variantName = `Usage ${key}`;
  const today = new Date().toISOString().slice(0, 10);

  // Set-up through the API: an admin makes an entry of its own (so no other test's traffic is
  // counted), one published variant for everyone, and a delivery key for alpine.
  const admin = await apiSignIn(page.request, USERS.admin);
  const { createEntry } = await gql(page.request, admin, 'mutation ($input: CreateEntryInput!) { createEntry(input: $input) { id } }', {
    input: { brand: 'alpine', key, contentType: 'Hero', description: 'made by the e2e suite' },
  });
  const { createVariant } = await gql(page.request, admin, 'mutation ($input: CreateVariantInput!) { createVariant(input: $input) { id } }', {
    input: { entryId: createEntry.id, name: variantName, fields: { title: 'Counted, every time' } },
  });
  const variantId: string = createVariant.id;
  const { publishVariant } = await gql(page.request, admin, 'mutation ($id: ID!) { publishVariant(id: $id) { live } }', { id: variantId });
  expect(publishVariant.live).toBe(true);
  const { createDeliveryKey } = await gql(page.request, admin, 'mutation ($name: String!) { createDeliveryKey(brand: "alpine", name: $name) { token } }', {
    name: unique('e2e-usage-key'),
  });
  const deliveryKey: string = createDeliveryKey.token;

  // An app asks for the entry a few times with the key (each answer is one impression) and
  // reports a click on the first answer.
  const served: string[] = [];
  for (let i = 0; i < IMPRESSIONS; i++) {
    const { content } = await gql(page.request, deliveryKey,
      'query ($key: String!) { content(brand: "alpine", key: $key, context: { device: MOBILE, locale: "en" }) { servedId variant { id name } } }', { key });
    expect(content.variant).toEqual({ id: variantId, name: variantName });
    expect(content.servedId).toBeTruthy();
    served.push(content.servedId);
  }
  expect(new Set(served).size).toBe(IMPRESSIONS);
  const { track } = await gql(page.request, deliveryKey,
    'mutation ($servedId: String!) { track(events: [{ servedId: $servedId, kind: CLICK }]) { accepted rejected { index code } } }', { servedId: served[0] });
  expect(track).toEqual({ accepted: 1, rejected: [] });

  // Reports reflect events within a second: wait until the report counts them before opening the page.
  const auditorToken = await apiSignIn(page.request, USERS.auditor);
  await expect.poll(async () => {
    const { usageReport } = await gql(page.request, auditorToken,
      'query ($from: DateTime!, $to: DateTime!) { usageReport(brand: "alpine", from: $from, to: $to, groupBy: [VARIANT]) { variantId impressions clicks } }',
      { from: `${today}T00:00:00Z`, to: new Date(Date.now() + 60_000).toISOString() });
    return usageReport.find((r: { variantId: string }) => r.variantId === variantId) ?? null;
  }, { timeout: 5_000 }).toEqual({ variantId, impressions: IMPRESSIONS, clicks: 1 });

  // The auditor's dashboard: both charts, and the variant's row in the report.
  await signIn(page, USERS.auditor);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Usage' }).click();
  await expect(page).toHaveURL(/\/admin\/usage$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Usage' })).toBeVisible();
  const filter = page.getByRole('form', { name: 'Usage filter' });
  await filter.getByLabel('Brand').selectOption({ label: 'Alpine Outfitters' });
  await expect(filter.getByLabel('To (UTC, included)')).toHaveValue(today);
  await expect(page.getByRole('img', { name: /^Impressions per day for \d+ variant\(s\)$/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^CTR and conversion rate for \d+ variant\(s\)$/ })).toBeVisible();

  const table = page.getByRole('table', { name: 'Usage report' });
  await expect(table.getByRole('columnheader')).toHaveText(['Variant', 'Impressions ▼', 'Clicks', 'Conversions', 'CTR', 'Conversion rate']);
  const row = table.getByRole('row').filter({ hasText: variantName });
  await expect(row.getByRole('cell')).toHaveText([variantName, String(IMPRESSIONS), '1', '0', '20.00 %', '0.00 %']);

  // Grouped by entry and device as well: one row for the entry, all on MOBILE.
  await filter.getByLabel('Entry', { exact: true }).check();
  await filter.getByLabel('Device', { exact: true }).check();
  await expect(table.getByRole('columnheader')).toHaveText(['Entry', 'Variant', 'Device', 'Impressions ▼', 'Clicks', 'Conversions', 'CTR', 'Conversion rate']);
  const byEntry = table.getByRole('row').filter({ hasText: key });
  await expect(byEntry).toHaveCount(1);
  await expect(byEntry.getByRole('cell')).toHaveText([key, variantName, 'MOBILE', String(IMPRESSIONS), '1', '0', '20.00 %', '0.00 %']);
  await snap(page, '09-usage-dashboard');

  // The usage export beside the audit export: a CSV of alpine, by variant and day.
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const usageExport = page.getByRole('region', { name: 'Usage report download' });
  await usageExport.getByLabel('Brand').selectOption({ label: 'Alpine Outfitters' });
  await expect(usageExport.getByLabel('Variant', { exact: true })).toBeChecked();
  await expect(usageExport.getByLabel('Day', { exact: true })).toBeChecked();
  await expect(usageExport.getByLabel('CSV')).toBeChecked();
  await usageExport.getByRole('button', { name: 'Prepare usage CSV' }).click();
  const link = usageExport.getByRole('link', { name: /^Download vary-usage-alpine-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv/ });
  await expect(link).toBeVisible();
  await snap(page, '09-usage-export');

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^vary-usage-alpine-\\d{4}-\\d{2}-\\d{2}_${today}\\.csv$`));
  const lines = readFileSync(await download.path(), 'utf8').split(/\r?\n/).filter(Boolean);
  expect(lines[0]).toBe(CSV_HEADER);
  // This variant's rows (its name and key hold no commas or quotes, so a plain split is exact).
  const mine = lines.slice(1).filter((l) => l.split(',')[1] === variantId).map((l) => l.split(','));
  expect(mine).toHaveLength(1); // one day
  const [entryKey, , name, revision, device, day, locale, experimentId, experimentName, armId, armName, impressions, clicks, conversions, conversionValue, ctr] = mine[0];
  expect({ entryKey, name, device, day, locale }).toEqual({ entryKey: '', name: variantName, device: '', day: today, locale: '' });
  expect(revision).toBe('');
  expect([experimentId, experimentName, armId, armName]).toEqual(['', '', '', '']); // not grouped by experiment
  expect([Number(impressions), Number(clicks), Number(conversions), Number(conversionValue), Number(ctr)]).toEqual([IMPRESSIONS, 1, 0, 0, 0.2]);
});
