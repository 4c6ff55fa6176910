import { apiSignIn, expect, gql, signIn, snap, test, unique, ui, USERS } from './fixtures';

const TYPE_Q = 'query($b: String!) { contentTypes(brand: $b) { id name version fields { name kind required maxLength to list } } }';

async function typeNamed(request: Parameters<typeof gql>[0], token: string, name: string) {
  const data = await gql(request, token, TYPE_Q, { b: 'alpine' });
  return data.contentTypes.find((t: { name: string }) => t.name === name);
}

test('an admin builds a content type, renames a field, and is told in words which variants a change would break', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const name = unique('Offer');
  await signIn(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Content types' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Content types' })).toBeVisible();

  // Create: a required title of at most 60 characters, and a list of up to 3 references to Heroes.
  await page.getByRole('button', { name: 'New content type' }).click();
  const form = page.getByRole('form', { name: 'New content type' });
  await form.getByLabel('Content type name').fill(name);
  await form.getByLabel('Name of field 1').fill('title');
  await form.getByLabel('Longest text (optional)').fill('60');
  await form.getByRole('listitem', { name: 'Field 1' }).getByLabel('Required').check();
  await form.getByRole('button', { name: 'Add field' }).click();
  await form.getByLabel('Name of field 2').fill('2nd');
  await form.getByRole('button', { name: 'Create content type' }).click();
  await expect(form.getByText('“2nd” cannot be a field name: start with a letter and use only letters, digits and _.')).toBeVisible();
  await form.getByLabel('Name of field 2').fill('related');
  await form.getByLabel('Kind of field 2').selectOption('REFERENCE');
  await form.getByRole('listitem', { name: 'Field 2' }).getByLabel('List').check();
  await form.getByRole('listitem', { name: 'Field 2' }).getByLabel('Most items (optional)').fill('3');
  await form.getByRole('group', { name: /Field 2 may point to/ }).getByLabel('Hero', { exact: true }).check();
  await form.getByRole('button', { name: 'Create content type' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toHaveText(`Saved “${name}” (version 1).`);
  const card = page.getByRole('article', { name: new RegExp(name) });
  await expect(card.getByRole('row', { name: /title/ })).toContainText('Text, required, at most 60 characters');
  await expect(card.getByRole('row', { name: /related/ })).toContainText('Reference to an entry, to Hero, list of at most 3');
  const created = await typeNamed(page.request, admin, name);
  expect(created.fields).toEqual([
    { name: 'title', kind: 'TEXT', required: true, maxLength: 60, to: [], list: false },
    { name: 'related', kind: 'REFERENCE', required: false, maxLength: 3, to: ['Hero'], list: true },
  ]);

  // A variant of that type exists, so some changes would break it.
  const entryKey = unique('offer');
  const { createEntry } = await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: 'alpine', key: entryKey, contentType: name } });
  await gql(page.request, admin, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: createEntry.id, name: 'Spring sale', fields: { title: 'Half price lift passes' } } });

  // Rename title → headline: the stored value follows.
  await card.getByRole('button', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('form', { name: `Edit content type ${name}` });
  await edit.getByLabel('Name of field 1').fill('headline');
  await expect(edit.getByText('Renamed from “title”')).toBeVisible();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toHaveText(`Saved “${name}” (version 2).`);
  const entry = await gql(page.request, admin, 'query($b: String!, $k: String!) { entry(brand: $b, key: $k) { variants { fields } } }', { b: 'alpine', k: entryKey });
  expect(entry.entry.variants[0].fields).toEqual({ headline: 'Half price lift passes' });

  // A new required field would break the variant: refused, said in words next to the form.
  await card.getByRole('button', { name: `Edit ${name}` }).click();
  await edit.getByRole('button', { name: 'Add field' }).click();
  await edit.getByLabel('Name of field 3').fill('subtitle');
  await edit.getByRole('listitem', { name: 'Field 3' }).getByLabel('Required').check();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  const refusal = edit.getByRole('alert');
  await expect(refusal).toContainText(`1 variant would no longer fit: “Spring sale” of ${entryKey}; change them first or keep the field.`);
  await expect(refusal).toContainText('its latest revision: “subtitle” is required');
  await expect(refusal.getByRole('link', { name: entryKey })).toBeVisible();
  await snap(page, '13-content-type-refused');
  expect((await typeNamed(page.request, admin, name)).version).toBe(2);

  // Removing the new field instead saves.
  await edit.getByRole('button', { name: 'Remove field subtitle' }).click();
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toHaveText(`Saved “${name}” (version 3).`);
});

test('a concurrent change is refused instead of lost, and a content type in use cannot be deleted', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const name = unique('Teaser');
  await gql(page.request, admin, 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }',
    { i: { brand: 'alpine', name, fields: [{ name: 'title', kind: 'TEXT' }] } });
  await signIn(page, USERS.admin);
  await page.goto(ui('b/alpine/content-types'));
  const card = page.getByRole('article', { name: new RegExp(name) });
  await card.getByRole('button', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('form', { name: `Edit content type ${name}` });
  await edit.getByRole('button', { name: 'Add field' }).click();
  await edit.getByLabel('Name of field 2').fill('body');

  // Meanwhile someone else changes the type.
  const current = await typeNamed(page.request, admin, name);
  await gql(page.request, admin, 'mutation($id: ID!, $v: Int!, $i: UpdateContentTypeInput!) { updateContentType(id: $id, expectedVersion: $v, input: $i) { version } }',
    { id: current.id, v: current.version, i: { fields: [{ name: 'title', kind: 'TEXT' }, { name: 'note', kind: 'TEXT' }] } });
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('alert')).toHaveText('Someone else saved a change here while you were working. Reload to see it, then make your change again.');
  expect((await typeNamed(page.request, admin, name)).fields.map((f: { name: string }) => f.name)).toEqual(['title', 'note']);
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // In use by an entry: the refusal names it.
  const entryKey = unique('teaser');
  await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }', { i: { brand: 'alpine', key: entryKey, contentType: name } });
  page.once('dialog', (d) => void d.accept());
  await card.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(card.getByRole('alert')).toHaveText(
    `The content type “${name}” cannot be deleted while it is in use by entry ${entryKey}. Change, unpublish or archive those first, then delete it.`);

  // Unused: deleted after confirming.
  const spare = unique('Spare');
  await gql(page.request, admin, 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }',
    { i: { brand: 'alpine', name: spare, fields: [{ name: 'title', kind: 'TEXT' }] } });
  await page.reload();
  const spareCard = page.getByRole('article', { name: new RegExp(spare) });
  page.once('dialog', (d) => { expect(d.message()).toContain(`Delete the content type “${spare}”?`); void d.accept(); });
  await spareCard.getByRole('button', { name: `Delete ${spare}` }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toHaveText(`Deleted “${spare}”.`);
  await expect(spareCard).toHaveCount(0);
  expect(await typeNamed(page.request, admin, spare)).toBeUndefined();
});
