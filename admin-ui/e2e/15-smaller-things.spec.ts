import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test('one brand picker drives Usage and Audit; focus goes to the heading; before/after get a date-time picker', async ({ page }) => {
  await signIn(page, USERS.admin);
  await page.goto(ui('b/alpine/entries'));
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Usage', exact: true }).click();
  const heading = page.getByRole('heading', { level: 1, name: /Usage/ });
  await expect(heading).toBeFocused();
  await expect(page.getByLabel('Brand', { exact: true }).last()).toHaveValue('alpine');

  // The top bar's picker changes the page's brand and stays on the page.
  await page.getByRole('banner').getByRole('combobox', { name: 'Brand' }).selectOption({ label: 'Nordbank' });
  await expect(page).toHaveURL(/\/admin\/usage\?brand=nordbank$/);
  await expect(page.locator('#us-brand')).toHaveValue('nordbank');
  await nav.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: /Audit/ })).toBeFocused();
  await expect(page.locator('#au-brand')).toHaveValue('nordbank');
  await snap(page, '15-brand-follows-bar');

  // A before/after condition takes its instant from a date-time picker.
  await page.goto(ui('b/alpine/entries/home-hero/variants/new'));
  await page.getByRole('button', { name: 'Target an audience' }).click();
  await page.getByLabel('Attribute', { exact: true }).fill('signedUpAt');
  await page.getByLabel('Operator').selectOption({ label: 'is after' });
  const picker = page.getByLabel('signedUpAt value', { exact: true });
  await expect(picker).toHaveAttribute('type', 'datetime-local');
  await picker.fill('2026-05-01T09:30');
  await expect(page.locator('.rule-summary')).toContainText('2026-05-01');
});
