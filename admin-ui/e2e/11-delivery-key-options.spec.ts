import { expect, gql, signIn, snap, test, unique, USERS } from './fixtures';

test('an admin makes a key with an expiry, origins and a rate, and sees when it was last used', async ({ page }) => {
  const keyName = unique('e2e-limited-key');
  await signIn(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Delivery keys' }).click();
  const form = page.getByRole('form', { name: 'New delivery key' });
  await form.getByLabel('Key name').fill(keyName);
  await form.getByLabel('For brand').selectOption({ label: 'Alpine Outfitters' });

  // A mistake in the options is named before anything is sent.
  await form.getByLabel('Allowed origins (optional)').fill('shop.example');
  await form.getByRole('button', { name: 'Create key' }).click();
  await expect(form.getByRole('alert')).toContainText('not an origin');

  const nextYear = new Date().getFullYear() + 1;
  await form.getByLabel('Expires (optional)').fill(`${nextYear}-06-30T18:00`);
  await form.getByLabel('Allowed origins (optional)').fill('https://shop.example, http://localhost:5173');
  await form.getByLabel('Rate limit, answers per second (optional)').fill('50');
  await form.getByRole('button', { name: 'Create key' }).click();

  const once = page.getByRole('status').filter({ hasText: 'shown only this once' });
  await expect(once).toContainText(`Key “${keyName}” created for alpine.`);
  const token = await once.getByRole('textbox', { name: 'Token' }).inputValue();
  const row = page.getByRole('row').filter({ hasText: keyName });
  await expect(row).toContainText('50/s · http://localhost:5173, https://shop.example');
  await expect(row).toContainText(String(nextYear));
  await expect(row.getByRole('cell').nth(3)).toHaveText('Never');
  await expect(row.getByText('Active')).toBeVisible();

  // An app uses the key; the list then says when.
  const { content } = await gql(page.request, token, '{ content(brand: "alpine", key: "home-hero") { key } }');
  expect(content.key).toBe('home-hero');
  await page.reload();
  const used = page.getByRole('row').filter({ hasText: keyName }).getByRole('cell').nth(3);
  await expect(used).not.toHaveText('Never');
  await expect(used).toContainText(String(new Date().getFullYear()));
  await snap(page, '11-delivery-key-options');
});
