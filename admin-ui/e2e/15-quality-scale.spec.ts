import { apiSignIn, expect, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { publishedVariant, seedBrand } from './seed';

test('quality reads on one 0–100 scale: settings, the variant, the simulator', async ({ page, request }) => {
  const slug = unique('scale');
  const admin = await apiSignIn(request, USERS.admin);
  const entry = await seedBrand(request, admin, slug, { minQuality: 0.9 });
  const rule = (values: string[]) => ({ attr: 'segment', op: 'in', value: values });
  await publishedVariant(request, admin, entry, { name: 'First', fields: { title: 'One' }, rule: rule(['a', 'b']) });
  // Tied with First: a warning makes it score 85, under the brand's 90.
  await publishedVariant(request, admin, entry, { name: 'Second', fields: { title: 'Two' }, rule: rule(['b', 'c']) });

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/${slug}/settings`));
  const slider = page.getByLabel('Minimum quality (slider)');
  expect((await slider.boundingBox())?.width ?? 0).toBeGreaterThan(80);
  await expect(page.getByLabel('Minimum quality', { exact: true })).toHaveValue('90');
  await expect(page.getByText('Variants scoring below 90 (of 100) are not served.')).toBeVisible();
  await snap(page, '15-quality-settings');

  await page.goto(ui(`b/${slug}/entries/home`));
  await page.getByLabel('Attribute 1 name').fill('segment');
  await page.getByLabel('Attribute 1 value', { exact: true }).fill('c');
  await page.getByRole('button', { name: 'Show what they get' }).click();
  await expect(page.getByText('quality 85 below brand minimum 90')).toBeVisible();
  await expect(page.getByText(/0\.\d\d below/)).toHaveCount(0);
  await page.getByRole('link', { name: 'Second', exact: true }).first().click();
  await expect(page.getByText('Below the brand’s minimum (90 of 100)')).toBeVisible();
});
