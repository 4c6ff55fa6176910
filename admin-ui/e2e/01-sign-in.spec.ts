import { expect, signIn, signOut, snap, test, ui, USERS } from './fixtures';

test('admin signs in and out; a wrong password is refused in words', async ({ page }) => {
  await page.goto(ui());
  // Not signed in: the app sends us to the sign-in page.
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByRole('heading', { name: 'Vary' })).toBeVisible();

  // Wrong password: an error in words, still on the sign-in page.
  await page.getByLabel('Email').fill(USERS.admin);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  await expect(page).toHaveURL(/\/admin\/login$/);
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);

  // Right password: signed in as admin, with the admin's menu.
  await signIn(page, USERS.admin);
  await expect(page).toHaveURL(/\/admin\/b\/[^/]+\/entries$/);
  await expect(page.getByRole('banner').getByText('Admin', { exact: true })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Entries' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Delivery keys' })).toBeVisible();
  await snap(page, '01-signed-in-admin');

  // Sign out: back to sign-in with a notice; the token is gone, so a reload stays signed out.
  await signOut(page);
  await expect(page.getByRole('status')).toHaveText('You have signed out.');
  expect(await page.evaluate(() => localStorage.getItem('vary.token'))).toBeNull();
  await page.goto(ui('users'));
  await expect(page).toHaveURL(/\/admin\/login$/);
  await snap(page, '01-sign-in');
});
