import { apiSignIn, expect, gql, signIn, snap, test, unique, ui, USERS } from './fixtures';

test('an editor picks referenced entries by searching the allowed types', async ({ page }) => {
  // Set-up through the API: a Card type with two cards and a page type referencing cards.
  const admin = await apiSignIn(page.request, USERS.admin);
  const card = unique('RefCard');
  const pageType = unique('RefPage');
  const createType = 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }';
  await gql(page.request, admin, createType, { i: { brand: 'alpine', name: card, fields: [{ name: 'title', kind: 'TEXT' }] } });
  await gql(page.request, admin, createType, { i: { brand: 'alpine', name: pageType, fields: [
    { name: 'hero', kind: 'REFERENCE', to: [card] },
    { name: 'cards', kind: 'REFERENCE', to: [card], list: true, maxLength: 3 },
  ] } });
  const createEntry = 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }';
  const ski = unique('card-ski');
  const hike = unique('card-hike');
  await gql(page.request, admin, createEntry, { i: { brand: 'alpine', key: ski, contentType: card, description: 'Ski pass offer' } });
  await gql(page.request, admin, createEntry, { i: { brand: 'alpine', key: hike, contentType: card, description: 'Hiking maps' } });
  const key = unique('page');
  const { createEntry: entry } = await gql(page.request, admin, createEntry, { i: { brand: 'alpine', key, contentType: pageType } });
  const { createVariant } = await gql(page.request, admin,
    'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: entry.id, name: 'Landing', fields: {} } });

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  await expect(page.getByRole('heading', { level: 1, name: 'Landing' })).toBeVisible();

  // The single reference: search among the Card entries, pick one.
  await page.getByRole('button', { name: 'Find entry' }).first().click();
  await page.getByRole('searchbox', { name: 'Search entries for hero' }).fill('ski pass');
  const results = page.getByRole('list', { name: 'Entries for hero' });
  await expect(results.getByRole('button')).toHaveCount(1);
  await results.getByRole('button', { name: new RegExp(ski) }).click();
  await expect(page.getByRole('textbox', { name: /^hero/ })).toHaveValue(ski);

  // The list: add an item and pick the other card for it.
  await page.getByRole('button', { name: 'Add cards item' }).click();
  await page.getByRole('button', { name: 'Find entry' }).nth(1).click();
  await page.getByRole('searchbox', { name: 'Search entries for cards' }).fill('hiking');
  await page.getByRole('list', { name: 'Entries for cards' }).getByRole('button', { name: new RegExp(hike) }).click();
  await snap(page, '14-references');

  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();
  const saved = await gql(page.request, admin, 'query($b: String!, $k: String!) { entry(brand: $b, key: $k) { variants { fields } } }', { b: 'alpine', k: key });
  expect(saved.entry.variants[0].fields).toEqual({ hero: ski, cards: [hike] });
});
