import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import { apiSignIn, expect, gql, signIn, snap, test, unique, ui, USERS } from './fixtures';
import { mountainPng } from './images';

/** Uploads a new PNG to alpine's library through the REST API; answers its id. */
async function uploadPng(request: APIRequestContext, token: string): Promise<string> {
  const png = mountainPng(640 + Math.floor(Math.random() * 200), 360);
  const res = await request.post('/api/assets', {
    headers: { authorization: `Bearer ${token}` },
    multipart: { file: { name: 'slope.png', mimeType: 'image/png', buffer: png }, brand: 'alpine' },
  });
  expect(res.ok()).toBeTruthy();
  const { id } = await res.json();
  expect(id).toBe(createHash('sha256').update(png).digest('hex'));
  return id;
}

const ASSETS = 'query { assets(brand: "alpine", first: 100) { edges { node { id alt focalX focalY } } } }';
async function assetById(request: APIRequestContext, token: string, id: string) {
  const data = await gql(request, token, ASSETS);
  return data.assets.edges.map((e: { node: { id: string } }) => e.node).find((n: { id: string }) => n.id === id);
}

test('alt text and focal point are set in the asset library, and the image field shows the image by name', async ({ page }) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const imageId = await uploadPng(page.request, admin);
  const typeName = unique('Banner');
  await gql(page.request, admin, 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }',
    { i: { brand: 'alpine', name: typeName, fields: [{ name: 'title', kind: 'TEXT' }, { name: 'image', kind: 'ASSET' }] } });
  const key = unique('banner');
  const { createEntry } = await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }',
    { i: { brand: 'alpine', key, contentType: typeName } });
  const { createVariant } = await gql(page.request, admin, 'mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }',
    { i: { entryId: createEntry.id, name: 'Slopes', fields: { title: 'Open slopes', image: imageId } } });

  // The quality note about the missing alt text points to where to fix it.
  await signIn(page, USERS.editor);
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  const note = page.getByRole('list', { name: 'Quality notes on image' });
  await expect(note).toContainText('has no alt text');
  await note.getByRole('link', { name: 'Add alt text in the asset library' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Asset library' })).toBeVisible();

  const item = page.getByRole('listitem').filter({ hasText: imageId.slice(0, 8) });
  await expect(item.getByText('No alt text yet.')).toBeVisible();
  await item.getByRole('button', { name: 'Edit alt text and focal point' }).click();
  const editor = item.getByRole('group', { name: 'Image details' });
  const image = editor.getByRole('img', { name: 'The image being described' });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  const box = await image.boundingBox();
  await image.click({ position: { x: box!.width * 0.25, y: box!.height * 0.75 } });
  await expect(editor.getByText('Focal point: 25 % from the left, 75 % from the top')).toBeVisible();
  await editor.getByLabel('Alt text').fill('Skiers on an open slope');
  await editor.getByRole('button', { name: 'Save image details' }).click();
  await expect(editor.getByRole('status')).toHaveText('Image details saved.');
  await expect(item.getByText('Skiers on an open slope', { exact: true })).toBeVisible();
  await snap(page, '13-asset-library');
  const saved = await assetById(page.request, admin, imageId);
  expect(saved.alt).toBe('Skiers on an open slope');
  expect(saved.focalX).toBeCloseTo(0.25, 1);
  expect(saved.focalY).toBeCloseTo(0.75, 1);

  // The image field names the image and shows its thumbnail instead of the hash.
  await page.goto(ui(`b/alpine/entries/${key}/variants/${encodeURIComponent(createVariant.id)}`));
  await expect(page.getByText('Skiers on an open slope', { exact: true })).toBeVisible();
  await expect(page.getByText(imageId)).toHaveCount(0);

  // In use by the variant, it cannot be deleted; the refusal names the variant.
  await page.goto(ui('b/alpine/assets'));
  page.once('dialog', (d) => void d.accept());
  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(item.getByRole('alert')).toHaveText(
    `The image cannot be deleted while it is in use by variant “Slopes” of ${key}. Change, unpublish or archive those first, then delete it.`);

  // An unused image is deleted.
  const spareId = await uploadPng(page.request, admin);
  await page.reload();
  const spare = page.getByRole('listitem').filter({ hasText: spareId.slice(0, 8) });
  page.once('dialog', (d) => void d.accept());
  await spare.getByRole('button', { name: 'Delete' }).click();
  await expect(spare).toHaveCount(0);
  expect(await assetById(page.request, admin, spareId)).toBeUndefined();
});

test('the upload dialog asks for alt text and a focal point', async ({ page }, testInfo) => {
  const admin = await apiSignIn(page.request, USERS.admin);
  const typeName = unique('Poster');
  await gql(page.request, admin, 'mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }',
    { i: { brand: 'alpine', name: typeName, fields: [{ name: 'image', kind: 'ASSET' }] } });
  const key = unique('poster');
  await gql(page.request, admin, 'mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }', { i: { brand: 'alpine', key, contentType: typeName } });
  const png = mountainPng(700 + Math.floor(Math.random() * 100), 400);
  const file = testInfo.outputPath('poster.png');
  writeFileSync(file, png);
  const id = createHash('sha256').update(png).digest('hex');

  await signIn(page, USERS.editor);
  await page.goto(ui(`b/alpine/entries/${key}/variants/new`));
  await page.getByLabel('Upload image').setInputFiles(file);
  const dialog = page.getByRole('group', { name: 'Describe the uploaded image' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Focal point from the left (%)').fill('80');
  await dialog.getByLabel('Focal point from the top (%)').fill('20');
  await expect(dialog.getByText('Focal point: 80 % from the left, 20 % from the top')).toBeVisible();
  await dialog.getByLabel('Alt text').fill('A poster of the north face');
  await dialog.getByRole('button', { name: 'Save image details' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('A poster of the north face', { exact: true })).toBeVisible();
  expect(await assetById(page.request, admin, id)).toEqual({ id, alt: 'A poster of the north face', focalX: 0.8, focalY: 0.2 });
});
