import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test('the entries list searches content; a variant is duplicated into a new draft', async ({ page }) => {
  await signIn(page, USERS.editor);
  await page.goto(ui('b/alpine/entries'));
  const search = page.getByRole('search', { name: 'Search content' });
  await search.getByLabel('Search').fill('summit');
  await search.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('region', { name: 'Search results' });
  await expect(results).toContainText('variant');
  const hit = results.getByRole('link', { name: /Everyone: trail season/ }).first();
  await expect(hit).toBeVisible();
  await expect(results.locator('b').first()).toBeVisible();
  await snap(page, '15-entries-search');

  await hit.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Everyone: trail season' })).toBeVisible();
  await page.getByRole('button', { name: 'Duplicate variant' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Everyone: trail season (copy)' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Workflow' }).getByText('Draft', { exact: true })).toBeVisible();
  await expect(page.getByRole('textbox', { name: /^title/ })).toHaveValue('Find your trail');
});
