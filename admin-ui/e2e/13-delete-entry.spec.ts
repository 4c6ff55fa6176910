import { apiSignIn, expect, gql, signIn, test, unique, ui, USERS } from './fixtures';

const CREATE_ENTRY = 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }';
const CREATE_VARIANT = 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }';

test('an editor deletes an entry after confirming; one with a published variant is refused in words', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const live = unique('live-hero');
  const { createEntry: liveEntry } = await gql(page.request, admin, CREATE_ENTRY, { i: { brand: 'alpine', key: live, contentType: 'Hero' } });
  const { createVariant } = await gql(page.request, admin, CREATE_VARIANT, { i: { entryId: liveEntry.id, name: 'On air', fields: { title: 'Live now' } } });
  await gql(page.request, admin, 'mutation($id: ID!) { publishVariant(id: $id) { id } }', { id: createVariant.id });
  const spare = unique('spare-hero');
  const { createEntry: spareEntry } = await gql(page.request, admin, CREATE_ENTRY, { i: { brand: 'alpine', key: spare, contentType: 'Hero' } });
  await gql(page.request, admin, CREATE_VARIANT, { i: { entryId: spareEntry.id, name: 'Idea', fields: { title: 'Maybe later' } } });

  await signIn(page, USERS.editor);
  await page.goto(ui(`b/alpine/entries/${live}`));
  // Declining the confirmation changes nothing.
  page.once('dialog', (d) => void d.dismiss());
  await page.getByRole('button', { name: 'Delete entry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: live })).toBeVisible();
  page.once('dialog', (d) => { expect(d.message()).toContain(`Delete the entry “${live}”?`); void d.accept(); });
  await page.getByRole('button', { name: 'Delete entry' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    `The entry “${live}” cannot be deleted while it is in use by the published variant “On air”. Change, unpublish or archive those first, then delete it.`);

  await page.goto(ui(`b/alpine/entries/${spare}`));
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete entry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /entries/ })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'was deleted' })).toHaveText(`The entry “${spare}” was deleted.`);
  const left = await gql(page.request, admin, 'query($k: String!) { entry(brand: "alpine", key: $k) { id } }', { k: spare });
  expect(left.entry).toBeNull();
  const kept = await gql(page.request, admin, 'query($k: String!) { entry(brand: "alpine", key: $k) { id } }', { k: live });
  expect(kept.entry.id).toBe(liveEntry.id);
});
