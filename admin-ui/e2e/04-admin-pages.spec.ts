import { expect, signIn, signOut, snap, test, unique, ui, USERS } from './fixtures';

test('editors cannot reach admin pages; an admin creates a delivery key and sees its token once', async ({ page }) => {
  // An editor: no menu links to the admin pages, and their addresses say "Not available".
  await signIn(page, USERS.editor);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Entries' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await expect(nav.getByRole('link', { name: 'Delivery keys' })).toHaveCount(0);
  for (const path of ['users', 'delivery-keys']) {
    await page.goto(ui(path));
    await expect(page.getByRole('heading', { level: 1, name: 'Not available' })).toBeVisible();
    await expect(page.getByText('This page is for administrators.')).toBeVisible();
    await expect(page.getByRole('form')).toHaveCount(0);
    await expect(page.getByRole('table')).toHaveCount(0);
  }
  await snap(page, '04-editor-not-available');
  await signOut(page);

  // An admin makes a delivery key for alpine.
  const keyName = unique('e2e-key');
  await signIn(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Delivery keys' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Delivery keys' })).toBeVisible();
  const form = page.getByRole('form', { name: 'New delivery key' });
  await form.getByLabel('Key name').fill(keyName);
  await form.getByLabel('For brand').selectOption({ label: 'Alpine Outfitters' });
  await form.getByRole('button', { name: 'Create key' }).click();

  const once = page.getByRole('status').filter({ hasText: 'shown only this once' });
  await expect(once).toContainText(`Key “${keyName}” created for alpine.`);
  const tokenBox = once.getByRole('textbox', { name: 'Token' });
  await expect(tokenBox).toHaveValue(/\S{16,}/);
  const token = await tokenBox.inputValue();
  const row = page.getByRole('row').filter({ hasText: keyName });
  await expect(row).toContainText('alpine');
  await expect(row.getByText('Active')).toBeVisible();
  await snap(page, '04-delivery-key-created');

  // The token works: it fetches alpine's published content.
  const res = await page.request.post('/graphql', {
    headers: { authorization: `Bearer ${token}` },
    data: { query: '{ content(brand: "alpine", key: "home-hero") { key variant { name } } }' },
  });
  expect(res.ok()).toBeTruthy();
  const body = await res.json();
  expect(body.errors).toBeUndefined();
  expect(body.data.content.variant?.name).toBeTruthy();

  // Shown once: after "Done", and after a reload, the token is nowhere on the page.
  await once.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('textbox', { name: 'Token' })).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('row').filter({ hasText: keyName })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Token' })).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
});
