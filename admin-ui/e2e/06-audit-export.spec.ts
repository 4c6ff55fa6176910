import { readFileSync } from 'node:fs';
import { expect, signIn, snap, test, USERS } from './fixtures';

const CSV_HEADER = 'at,actor,action,target,brand,revisionBefore,revisionAfter,note,hash';

test('an auditor filters the audit log by brand and downloads it as CSV', async ({ page }) => {
  await signIn(page, USERS.auditor);
  const nav = page.getByRole('navigation', { name: 'Main' });
  // Auditors read: the audit page, but no admin pages.
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Webhooks' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Audit entries' });
  await expect(table.getByRole('row').nth(1)).toBeVisible();

  // Only alpine's rows once the brand filter says so (the brand is the fifth column).
  await page.getByRole('form', { name: 'Audit filter' }).getByLabel('Brand').selectOption({ label: 'Alpine Outfitters' });
  await expect(async () => {
    const brands = await table.locator('tbody tr td:nth-child(5)').allInnerTexts();
    expect(brands.length).toBeGreaterThan(0);
    expect(new Set(brands)).toEqual(new Set(['alpine']));
  }).toPass();
  await expect(page.getByText('nordbank', { exact: true })).toHaveCount(0);

  // Export: the report is fetched with the token, then offered as a file.
  const exportPanel = page.getByRole('region', { name: 'Export' });
  await expect(exportPanel).toContainText('brand alpine');
  await exportPanel.getByLabel('CSV').check();
  await exportPanel.getByRole('button', { name: 'Prepare CSV report' }).click();
  const link = exportPanel.getByRole('link', { name: /^Download vary-audit-alpine\.csv/ });
  await expect(link).toBeVisible();
  await expect(page.getByRole('region', { name: 'Usage report download' })).toBeVisible();
  await snap(page, '06-audit-alpine');

  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe('vary-audit-alpine.csv');
  const path = await download.path();
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter(Boolean);
  expect(lines[0]).toBe(CSV_HEADER);
  expect(lines.length).toBeGreaterThan(1);
  // Every row is alpine's (the fifth column; demo rows hold no quoted commas before it).
  for (const line of lines.slice(1)) expect(line.split(',')[4]).toBe('alpine');

  // A backwards range is refused in words, and the export waits for a valid one.
  const filter = page.getByRole('form', { name: 'Audit filter' });
  await filter.getByLabel('From (UTC)').fill('2030-01-02');
  await filter.getByLabel('To (UTC, included)').fill('2030-01-01');
  await expect(page.getByRole('alert').filter({ hasText: 'The start date is after the end date.' })).toBeVisible();
  await expect(exportPanel.getByRole('button', { name: 'Prepare CSV report' })).toBeDisabled();
});
