import { apiSignIn, expect, gql, signIn, snap, test, unique, ui, USERS } from './fixtures';

test('an admin defines an audience, an editor targets it by name, and "used by" follows', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const vip = unique('VIP');
  await signIn(page, USERS.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audiences' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audiences' })).toBeVisible();

  // Create with the rule builder.
  await page.getByRole('button', { name: 'New audience' }).click();
  const form = page.getByRole('form', { name: 'New audience' });
  await form.getByRole('button', { name: 'Create audience' }).click();
  await expect(form.getByText('Give the audience a name.')).toBeVisible();
  await form.getByLabel('Audience name').fill(vip);
  await form.getByRole('button', { name: 'Target an audience' }).click();
  await form.getByRole('combobox', { name: 'Attribute', exact: true }).fill('segment');
  await form.getByRole('combobox', { name: 'Operator', exact: true }).selectOption({ label: 'is' });
  await form.getByRole('textbox', { name: 'segment value', exact: true }).fill('gold');
  await form.getByRole('button', { name: 'Create audience' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toContainText(`Saved the audience “${vip}”`);
  const row = page.getByRole('row', { name: new RegExp(vip) });
  await expect(row).toContainText('segment');
  await expect(row).toContainText('gold');
  await expect(row).toContainText('Not used yet');

  // An editor's variant uses it through "Use a saved audience" in the variant editor.
  const key = unique('vip-hero');
  const { createEntry } = await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: 'alpine', key, contentType: 'Hero' } });
  const { createVariant } = await gql(page.request, admin, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: createEntry.id, name: 'Gold members', fields: { title: 'Welcome back, gold member' } } });
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  const audience = page.getByRole('region', { name: 'Audience' });
  await audience.getByRole('button', { name: 'Use a saved audience' }).click();
  await audience.getByRole('combobox', { name: 'Audience', exact: true }).selectOption(vip);
  await expect(audience.getByRole('paragraph').filter({ hasText: 'Shown to:' })).toContainText(`in audience "${vip}"`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();
  const saved = await gql(page.request, admin, 'query($id: ID!) { variant(id: $id) { rule } }', { id: createVariant.id });
  expect(saved.variant.rule).toEqual({ all: [{ audience: vip }] });

  // The audiences page says who uses it, with a link to the variant.
  await page.goto(ui('b/alpine/audiences'));
  await expect(row).toContainText('Used by 1 variant');
  const usedBy = row.getByRole('list', { name: `What uses ${vip}` });
  await expect(usedBy.getByRole('link', { name: `variant “Gold members” of ${key}` })).toBeVisible();
  await snap(page, '13-audiences');

  // Deleting it is refused while the variant uses it, in words.
  page.once('dialog', (d) => void d.accept());
  await row.getByRole('button', { name: `Delete ${vip}` }).click();
  await expect(row.getByRole('alert')).toHaveText(
    `The audience “${vip}” cannot be deleted while it is in use by variant “Gold members” of ${key}. Change, unpublish or archive those first, then delete it.`);

  // Editing the rule: the new rule is listed.
  await row.getByRole('button', { name: `Edit ${vip}` }).click();
  const edit = page.getByRole('form', { name: `Edit audience ${vip}` });
  await edit.getByRole('textbox', { name: 'segment value', exact: true }).fill('platinum');
  await edit.getByRole('button', { name: 'Save audience' }).click();
  await expect(row).toContainText('platinum');
  const listed = await gql(page.request, admin, 'query { audiences(brand: "alpine") { name rule version } }');
  expect(listed.audiences.find((a: { name: string }) => a.name === vip)).toMatchObject({ version: 2 });

  // The variant link opens the variant.
  await usedBy.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Gold members' })).toBeVisible();
});

test('an unused audience is deleted after confirming', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const name = unique('Spare');
  await gql(page.request, admin, 'mutation($n: String!) { createAudience(brand: "alpine", name: $n, rule: {attr: "tier", op: "gte", value: 2}) { id } }', { n: name });
  await signIn(page, USERS.admin);
  await page.goto(ui('b/alpine/audiences'));
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('tier');
  page.once('dialog', (d) => { expect(d.message()).toBe(`Delete the audience “${name}”?`); void d.accept(); });
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByRole('status').filter({ hasText: /Saved|Deleted/ })).toHaveText(`Deleted the audience “${name}”.`);
  await expect(row).toHaveCount(0);
  const listed = await gql(page.request, admin, 'query { audiences(brand: "alpine") { name } }');
  expect(listed.audiences.map((a: { name: string }) => a.name)).not.toContain(name);
});
