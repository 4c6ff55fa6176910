import { expect, signIn, snap, test, unique, ui, USERS } from './fixtures';
import type { APIRequestContext } from '@playwright/test';

async function gql(request: APIRequestContext, token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const res = await request.post('/graphql', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    data: { query, variables },
  });
  const body = await res.json();
  if (body.errors) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}

test('a save that lost a race offers a reload', async ({ page, context }) => {
  // Set-up through the API (the screens for it are covered elsewhere): an entry with one variant.
  const key = unique('e2e-race');
  const { login } = await gql(page.request, null, 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: USERS.alpineEditor, p: 'vary-demo-2026' });
  const { createEntry } = await gql(page.request, login.token, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }', { i: { brand: 'alpine', key, contentType: 'Hero' } });
  const { createVariant } = await gql(page.request, login.token, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }', { i: { entryId: createEntry.id, name: 'Race original', fields: { title: 'Original title' } } });
  const path = ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`);

  // The same variant open in two pages of one session.
  await signIn(page, USERS.alpineEditor);
  await page.goto(path);
  const other = await context.newPage();
  await other.goto(path);
  for (const p of [page, other]) await expect(p.getByRole('heading', { level: 1, name: 'Race original' })).toBeVisible();

  // The first page saves.
  await page.getByLabel('Name', { exact: true }).fill('Race winner');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Race winner' })).toBeVisible();

  // The second page, still on the old version, saves too: a conflict, with a way to reload.
  await other.getByRole('textbox', { name: /^title/ }).fill('Late title');
  await other.getByRole('button', { name: 'Save changes' }).click();
  const conflict = other.getByRole('alert').filter({ hasText: 'Someone else saved this variant' });
  await expect(conflict).toBeVisible();
  await expect(conflict.getByRole('button', { name: 'Reload' })).toBeVisible();
  await expect(conflict.getByRole('button', { name: 'Keep editing' })).toBeVisible();
  await snap(other, '05-save-conflict');

  // Reload shows the winner's version; the lost edit is gone and the message with it.
  await conflict.getByRole('button', { name: 'Reload' }).click();
  await expect(other.getByRole('alert').filter({ hasText: 'Someone else saved this variant' })).toHaveCount(0);
  await expect(other.getByLabel('Name', { exact: true })).toHaveValue('Race winner');
  await expect(other.getByRole('textbox', { name: /^title/ })).toHaveValue('Original title');
  await expect(other.getByText('All changes saved')).toBeVisible();

  // Saving on top of the reloaded version now works.
  await other.getByRole('textbox', { name: /^title/ }).fill('Late title');
  await other.getByRole('button', { name: 'Save changes' }).click();
  await expect(other.getByText('All changes saved')).toBeVisible();
  await expect(other.getByRole('alert')).toHaveCount(0);
  await other.close();
});
