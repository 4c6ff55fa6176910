import { expect, signIn, snap, test, unique, ui, USERS } from './fixtures';

test('an editor changes a demo variant’s title and sees the change between its two latest revisions', async ({ page }) => {
  const newTitle = `Gear up, ${unique('go')}`;

  await signIn(page, USERS.editor);
  await page.goto(ui('b/alpine/entries/home-hero'));
  await expect(page.getByRole('heading', { level: 1, name: 'home-hero' })).toBeVisible();
  await page.getByRole('link', { name: 'Mobile: short copy', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mobile: short copy' })).toBeVisible();

  const revisions = page.getByRole('region', { name: 'Revisions' });
  const before = await revisions.getByRole('listitem').count();
  const title = page.getByRole('textbox', { name: /^title/ });
  const oldTitle = await title.inputValue();
  expect(oldTitle).toBeTruthy();
  await title.fill(newTitle);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();

  // The newest revision is the draft just saved; compare it with the one before.
  await expect(revisions.getByRole('listitem')).toHaveCount(before + 1);
  await revisions.getByRole('button', { name: /^Show changes/ }).first().click();

  const diff = page.getByRole('region', { name: 'Changes between revisions' });
  await expect(diff).toBeVisible();
  const row = diff.getByRole('row').filter({ hasText: 'fields.title' });
  await expect(row).toHaveCount(1);
  await expect(row.locator('.diff-old')).toHaveText(oldTitle);
  await expect(row.locator('.diff-new')).toHaveText(newTitle);
  // Only the title changed.
  await expect(diff.getByRole('table', { name: 'Changed fields' }).locator('tbody tr')).toHaveCount(1);
  await snap(page, '07-revision-diff');
});
