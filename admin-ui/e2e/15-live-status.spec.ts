import { apiSignIn, expect, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { publishedVariant, seedBrand } from './seed';

test('“Live” means some audience gets the variant now; raising the minimum warns with a count first', async ({ page, request }) => {
  const slug = unique('air');
  const admin = await apiSignIn(request, USERS.admin);
  const entry = await seedBrand(request, admin, slug);
  const rule = (values: string[]) => ({ attr: 'segment', op: 'in', value: values });
  await publishedVariant(request, admin, entry, { name: 'Skiers', fields: { title: 'Ski' }, rule: rule(['a', 'b']) });
  await publishedVariant(request, admin, entry, { name: 'Tied', fields: { title: 'Tie' }, rule: rule(['b', 'c']) });
  await publishedVariant(request, admin, entry, { name: 'Everyone', fields: { title: 'All' } });
  await publishedVariant(request, admin, entry, { name: 'Hidden', fields: { title: 'Low' }, priority: -1 });

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/${slug}/entries/home`));
  const row = (name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(row('Skiers')).toContainText('● Live');
  await expect(row('Tied')).toContainText('● Live');
  await expect(row('Hidden')).toContainText('Not live');
  await expect(row('Hidden')).toContainText('never served: covered by Everyone');

  // Brand settings: a higher minimum names what it takes off the air, with a count, before saving.
  await page.goto(ui(`b/${slug}/settings`));
  await page.getByLabel('Minimum quality', { exact: true }).fill('90');
  const warning = page.getByRole('alert').filter({ hasText: 'off the air' });
  await expect(warning).toContainText('1 live variant goes off the air');
  await expect(warning).toContainText('home · Tied');
  await snap(page, '15-live-status-warning');
  await page.getByRole('button', { name: 'Save and take 1 off the air' }).click();
  await expect(page.getByText('Saved', { exact: true })).toBeVisible();

  await page.goto(ui(`b/${slug}/entries/home`));
  await expect(row('Tied')).toContainText('Not live');
  await expect(row('Tied')).toContainText('quality 85 is below the brand minimum 90');
  await expect(row('Skiers')).toContainText('● Live');
  await snap(page, '15-live-status-entry');
});
