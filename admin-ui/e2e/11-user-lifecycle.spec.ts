import { apiSignIn, expect, gql, signIn, signOut, snap, test, ui, unique, USERS } from './fixtures';
import type { Page } from '@playwright/test';

const CREATE_USER = 'mutation ($i: CreateUserInput!) { createUser(input: $i) { id } }';

async function openUsers(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
}

async function typeSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(ui('login'));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('an admin edits a user and resets their password; the user must choose a new one; disabled, they are out', async ({ page, request }) => {
  const admin = await apiSignIn(request, USERS.admin);
  const email = `${unique('e2e-user')}@vary.demo`;
  await gql(request, admin, CREATE_USER, { i: { email, password: 'first-password-1', role: 'EDITOR', brands: ['alpine'] } });

  // Role and brands: an editor of alpine becomes a reviewer of alpine and Nordbank.
  await signIn(page, USERS.admin);
  await openUsers(page);
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Editor');
  await row.getByRole('button', { name: `Edit ${email}` }).click();
  const edit = page.getByRole('form', { name: `Edit ${email}` });
  await edit.getByRole('radio', { name: /Reviewer/ }).check();
  await edit.getByRole('checkbox', { name: 'Nordbank' }).check();
  await edit.getByRole('button', { name: 'Save user' }).click();
  await expect(edit).toHaveCount(0);
  await expect(row).toContainText('Reviewer');
  await expect(row).toContainText('alpine, nordbank');

  // A reset: the one-time password is shown once.
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: `Reset password of ${email}` }).click();
  const once = page.getByRole('status').filter({ hasText: 'shown only this once' });
  const box = once.getByRole('textbox', { name: 'One-time password' });
  await expect(box).toHaveValue(/^[a-z0-9]{5}(-[a-z0-9]{5}){3}$/);
  const oneTime = await box.inputValue();
  await expect(row).toContainText('Must change password');
  await snap(page, '11-one-time-password');
  await once.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('textbox', { name: 'One-time password' })).toHaveCount(0);
  expect(await page.content()).not.toContain(oneTime);
  await signOut(page);

  // Signed in with it, the user can do nothing before choosing a password of their own.
  await typeSignIn(page, email, oneTime);
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  await page.goto(ui('b/alpine/entries'));
  await expect(page.getByRole('heading', { level: 1, name: 'Choose a new password' })).toBeVisible();
  const change = page.getByRole('form', { name: 'Change password' });
  await change.getByLabel('One-time password').fill(oneTime);
  await change.getByLabel('New password', { exact: true }).fill('my-own-password-1');
  await change.getByLabel('Repeat the new password').fill('my-own-password-2');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The two new passwords differ. Type the same password twice.');
  await change.getByLabel('Repeat the new password').fill('my-own-password-1');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Entries' })).toBeVisible();
  await signOut(page);

  // Disabled: the session the user holds ends at once, and signing in says why.
  const session = await apiSignIn(request, email, 'my-own-password-1');
  await signIn(page, USERS.admin);
  await openUsers(page);
  await row.getByRole('button', { name: `Edit ${email}` }).click();
  await edit.getByRole('checkbox', { name: /Disabled/ }).check();
  await edit.getByRole('button', { name: 'Save user' }).click();
  await expect(row).toContainText('Disabled');
  const refused = await request.post('/graphql', { headers: { authorization: `Bearer ${session}` }, data: { query: '{ me { email } }' } });
  expect(refused.status()).toBe(401);
  await signOut(page);
  await typeSignIn(page, email, 'my-own-password-1');
  await expect(page.getByRole('alert')).toHaveText('This account is disabled. Ask an administrator to enable it.');
});

test('the last admin cannot be disabled: the message says what to do first', async ({ page }) => {
  await signIn(page, USERS.admin);
  await openUsers(page);
  const row = page.getByRole('row').filter({ hasText: USERS.admin });
  await row.getByRole('button', { name: `Edit ${USERS.admin}` }).click();
  const edit = page.getByRole('form', { name: `Edit ${USERS.admin}` });
  await edit.getByRole('checkbox', { name: /Disabled/ }).check();
  await edit.getByRole('button', { name: 'Save user' }).click();
  await expect(edit.getByRole('alert')).toContainText('make another user an admin first');
  await expect(row).toContainText('Active');
});

test('anyone changes their own password; a wrong current password keeps them signed in', async ({ page, request }) => {
  const admin = await apiSignIn(request, USERS.admin);
  const email = `${unique('e2e-self')}@vary.demo`;
  await gql(request, admin, CREATE_USER, { i: { email, password: 'first-password-1', role: 'AUDITOR' } });
  await signIn(page, email, 'first-password-1');
  await page.getByRole('link', { name: 'Change password' }).click();
  const change = page.getByRole('form', { name: 'Change password' });
  await change.getByLabel('Current password').fill('not-my-password');
  await change.getByLabel('New password', { exact: true }).fill('second-password-2');
  await change.getByLabel('Repeat the new password').fill('second-password-2');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText('The current password is wrong. Type the password you signed in with.');
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await change.getByLabel('Current password').fill('first-password-1');
  await change.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password has been changed.' })).toBeVisible();
  await signOut(page);
  await signIn(page, email, 'second-password-2');
});
