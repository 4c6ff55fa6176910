import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test('errors a person meets say what to do, next to what they concern', async ({ page }) => {
  await signIn(page, USERS.editor);
  await page.goto(ui('b/alpine/entries'));
  await page.getByRole('button', { name: 'New entry' }).click();
  const form = page.getByRole('form', { name: 'New entry' });
  await form.getByLabel('Key').fill('home-hero');
  await form.getByRole('button', { name: 'Create entry' }).click();
  await expect(form.getByRole('alert')).toHaveText('An entry with the key “home-hero” already exists in this brand. Choose another key.');

  // A field over the content type's limit: under the field, with the limit and the way out.
  await page.goto(ui('b/alpine/entries/home-hero/variants/new'));
  await page.getByLabel('Name', { exact: true }).fill('Too long');
  const title = page.getByRole('textbox', { name: /^title/ });
  await title.fill('x'.repeat(98));
  await page.getByRole('button', { name: 'Create variant' }).click();
  const help = page.locator('#field-title-help');
  await expect(help.getByRole('alert')).toContainText(/is 98 characters long; at most \d+ are allowed\. Shorten it by \d+ characters\./);
  await expect(page.getByText('field `title`')).toHaveCount(0);
  await snap(page, '15-error-words');
});
