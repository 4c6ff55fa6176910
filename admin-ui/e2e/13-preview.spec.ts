import { apiSignIn, expect, gql, signIn, snap, test, unique, ui, USERS } from './fixtures';

test('"Open preview" opens the brand\'s site with the entry\'s key and a preview key that sees the draft', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const key = unique('preview-hero');
  const { createEntry } = await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: 'alpine', key, contentType: 'Hero' } });
  const { createVariant } = await gql(page.request, admin, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: createEntry.id, name: 'Draft idea', fields: { title: 'Not published yet' } } });

  // Brand settings: a bad template is explained, a good one saved; a preview key made for this browser.
  await signIn(page, USERS.admin);
  await page.goto(ui('b/alpine/settings'));
  const preview = page.getByRole('region', { name: 'Draft preview on your site' });
  const url = preview.getByLabel('Preview URL');
  await url.fill('https://site.example/landing');
  await expect(preview.getByRole('alert')).toContainText('Put {key} where the entry’s key goes');
  await expect(preview.getByRole('button', { name: 'Save preview URL' })).toBeDisabled();
  const template = 'https://site.example/{key}?vary_preview={token}';
  await url.fill(template);
  await preview.getByRole('button', { name: 'Save preview URL' }).click();
  await expect(preview.getByText('Preview URL saved.')).toBeVisible();
  await preview.getByRole('button', { name: 'Create a preview key for this browser' }).click();
  const token = await preview.getByLabel('Preview key token').inputValue();
  expect(token.length).toBeGreaterThan(10);
  await expect(preview.getByText('This browser keeps a preview key for this brand.')).toBeVisible();
  await snap(page, '13-preview-settings');

  // The variant editor's link: the template filled in; never the session token.
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  const link = page.getByRole('link', { name: 'Open preview' });
  await expect(link).toHaveAttribute('href', `https://site.example/${encodeURIComponent(key)}?vary_preview=${encodeURIComponent(token)}`);
  await expect(link).toHaveAttribute('target', '_blank');
  expect(await link.getAttribute('href')).not.toContain(admin);

  // What the site gets with that token: the draft, as if published, recording nothing.
  // (A new key reaches the key ring through the change feed: asked again until it has.)
  const asSite = async () => {
    const res = await page.request.post('/graphql', {
      headers: { authorization: `Bearer ${token}` },
      data: { query: 'query($k: String!) { content(brand: "alpine", key: $k) { variant { name } servedId } }', variables: { k: key } },
    });
    return (await res.json()).data?.content ?? null;
  };
  await expect.poll(asSite).toEqual({ variant: { name: 'Draft idea' }, servedId: null });
  const keys = await gql(page.request, admin, 'query { deliveryKeys(brand: "alpine") { name revoked } }');
  expect(keys.deliveryKeys.some((k: { name: string; revoked: boolean }) => k.name.startsWith('preview') && !k.revoked)).toBe(true);
});

test('an editor pastes the preview key an admin gave them, kept in this browser only', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  await gql(page.request, admin, 'mutation { updateBrand(slug: "alpine", input: {previewUrl: "https://site.example/p/{key}?t={token}"}) { slug } }');
  const { createDeliveryKey } = await gql(page.request, admin, 'mutation { createDeliveryKey(brand: "alpine", name: "preview for editors", preview: true) { token } }');
  const key = unique('paste-hero');
  const { createEntry } = await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: 'alpine', key, contentType: 'Hero' } });
  const { createVariant } = await gql(page.request, admin, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: createEntry.id, name: 'Draft', fields: { title: 'Soon' } } });

  await signIn(page, USERS.editor);
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  const form = page.getByRole('form', { name: 'Preview key' });
  await form.getByLabel('Preview key token (kept in this browser)').fill(createDeliveryKey.token);
  await form.getByRole('button', { name: 'Use for previews' }).click();
  await expect(page.getByRole('link', { name: 'Open preview' }))
    .toHaveAttribute('href', `https://site.example/p/${encodeURIComponent(key)}?t=${encodeURIComponent(createDeliveryKey.token)}`);
  await page.getByRole('button', { name: 'Use another preview key' }).click();
  await expect(page.getByRole('form', { name: 'Preview key' })).toBeVisible();
});
