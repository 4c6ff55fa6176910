import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test('the audit page shows the result of audit verify', async ({ page }) => {
  await signIn(page, USERS.auditor);
  await page.goto(ui('audit'));
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByText('✓ Chain intact')).toBeVisible();
  await snap(page, '15-audit-verify');
});
