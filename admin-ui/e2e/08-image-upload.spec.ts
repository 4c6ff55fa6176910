import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { apiSignIn, expect, gql, signIn, snap, test, unique, USERS } from './fixtures';
import { mountainPng } from './images';

/** The image the editor uploads: wider than MOBILE's 640 px, narrower than DESKTOP's 1920 (never upscaled). */
const WIDTH = 1280;
const HEIGHT = 720;
/** Rendition sizes of a 1280×720 original: MOBILE 640, TABLET 1024, DESKTOP and TV keep 1280. */
const EXPECTED = [
  { device: 'Mobile', size: '640×360', file: 'mobile' },
  { device: 'Tablet', size: '1024×576', file: 'tablet' },
  { device: 'Desktop', size: '1280×720', file: 'desktop' },
  { device: 'TV', size: '1280×720', file: 'tv' },
];

test('an editor uploads an image into an ASSET field and sees a rendition per device', async ({ page }, testInfo) => {
  const key = unique('e2e-banner');
  const typeName = `Banner ${key}`;
  const variantName = `Powder day ${key}`;

  // The demo brands have no content type with an ASSET field: an admin defines one.
  const admin = await apiSignIn(page.request, USERS.admin);
  await gql(page.request, admin, 'mutation ($input: CreateContentTypeInput!) { createContentType(input: $input) { id } }', {
    input: {
      brand: 'alpine',
      name: typeName,
      fields: [
        { name: 'title', kind: 'TEXT', required: true, maxLength: 80 },
        { name: 'image', kind: 'ASSET', required: true },
      ],
    },
  });

  // The image: a PNG made here, written to this test's output dir.
  const png = mountainPng(WIDTH, HEIGHT);
  const file = testInfo.outputPath('powder-day.png');
  writeFileSync(file, png);
  const assetId = createHash('sha256').update(png).digest('hex');

  // An editor makes an entry of that type and opens a new variant.
  await signIn(page, USERS.editor);
  await page.getByRole('combobox', { name: 'Brand' }).selectOption({ label: 'Alpine Outfitters' });
  await expect(page).toHaveURL(/\/admin\/b\/alpine\/entries$/);
  await page.getByRole('button', { name: 'New entry' }).click();
  const form = page.getByRole('form', { name: 'New entry' });
  await form.getByLabel('Key').fill(key);
  await form.getByLabel('Content type').selectOption({ label: typeName });
  await form.getByRole('button', { name: 'Create entry' }).click();
  await expect(page.getByRole('heading', { level: 1, name: key })).toBeVisible();
  await page.getByRole('link', { name: 'New variant' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New variant' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill(variantName);
  await page.getByRole('textbox', { name: /^title/ }).fill('Fresh powder on every slope');

  // Upload: the field shows the new image by name and takes its id (the SHA-256 of the file's
  // bytes), which a person finds under "Asset id".
  const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/assets') && r.request().method() === 'POST');
  await page.getByLabel('Upload image').setInputFiles(file);
  expect((await uploaded).status()).toBe(200);
  await expect(page.getByText(`PNG image, ${WIDTH}×${HEIGHT}`, { exact: true })).toBeVisible();
  await page.getByText('Asset id', { exact: true }).click();
  await expect(page.getByRole('textbox', { name: /^image/ })).toHaveValue(assetId);

  // One preview per device, each with its rendition's size.
  const devices = page.getByRole('group', { name: 'Chosen image per device' });
  const figures = devices.getByRole('figure');
  await expect(figures).toHaveCount(EXPECTED.length);
  for (const [i, d] of EXPECTED.entries()) {
    await expect(figures.nth(i).locator('figcaption')).toHaveText(`${d.device} · ${d.size}`);
    await expect(figures.nth(i).locator('img')).toHaveAttribute('src', `/assets/${assetId}/${d.file}.webp`);
  }

  // The MOBILE preview shows the MOBILE rendition, and the browser really loaded it: 640 px wide.
  const mobile = figures.filter({ hasText: 'Mobile' }).locator('img');
  await mobile.scrollIntoViewIfNeeded(); // previews load lazily
  await expect.poll(() => mobile.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(640);
  expect(await mobile.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight, new URL(img.currentSrc).pathname]))
    .toEqual([640, 360, `/assets/${assetId}/mobile.webp`]);
  const served = await page.request.get(`/assets/${assetId}/mobile.webp`);
  expect(served.status()).toBe(200);
  expect(served.headers()['content-type']).toBe('image/webp');
  // The other previews load too, each at its rendition's width.
  for (const [i, d] of EXPECTED.entries()) {
    const img = figures.nth(i).locator('img');
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && `${el.naturalWidth}×${el.naturalHeight}`)).toBe(d.size);
  }
  await snap(page, '08-image-uploaded');

  // Saved with the variant: after creating it, the field still holds the asset and the previews stay.
  await page.getByRole('button', { name: 'Create variant' }).click();
  await expect(page).toHaveURL(/\/variants\/(?!new$)[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: variantName })).toBeVisible();
  await page.reload();
  await page.getByText('Asset id', { exact: true }).click();
  await expect(page.getByRole('textbox', { name: /^image/ })).toHaveValue(assetId);
  await expect(devices.getByRole('figure').filter({ hasText: 'Mobile' }).locator('figcaption')).toHaveText('Mobile · 640×360');

  // The brand's library lists the upload with the original's size and format.
  await page.getByRole('button', { name: 'Browse library' }).click();
  const library = page.getByRole('group', { name: 'Asset library of alpine' });
  const card = library.getByRole('button', { pressed: true });
  await expect(card).toHaveAttribute('title', assetId);
  await expect(card).toContainText(`${WIDTH}×${HEIGHT} · png`);
  // At the bottom of the page the sticky save bar sits below the previews instead of over them.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await snap(page, '08-image-saved');
});
