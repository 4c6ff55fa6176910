import { apiSignIn, expect, gql, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { publishedVariant, seedBrand } from './seed';

const UPDATE = 'mutation($id: ID!, $v: Int!, $p: VariantPatch!) { updateVariant(id: $id, expectedVersion: $v, patch: $p) { version } }';

test('“Show changes” compares with what is live by default; rules are rendered, dates readable', async ({ page, request }) => {
  const slug = unique('diff');
  const admin = await apiSignIn(request, USERS.admin);
  const entry = await seedBrand(request, admin, slug);
  const id = await publishedVariant(request, admin, entry, { name: 'Skiers', fields: { title: 'Live title' }, rule: { attr: 'segment', op: 'eq', value: 'skier' } });
  const v1 = (await gql(request, admin, '{ variant(id: "' + id + '") { version } }')).variant.version;
  const r1 = await gql(request, admin, UPDATE, { id, v: v1, p: { fields: { title: 'Draft one' }, rule: { attr: 'segment', op: 'in', value: ['skier', 'hiker'] } } });
  await gql(request, admin, UPDATE, { id, v: r1.updateVariant.version, p: { fields: { title: 'Draft two' }, startsAt: '2027-03-01T09:30:00.123456Z' } });

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/${slug}/entries/home/variants/${id}`));
  await page.getByRole('region', { name: 'Revisions' }).getByRole('button', { name: /^Show changes/ }).first().click();
  const diff = page.getByRole('region', { name: 'Changes between revisions' });
  await expect(diff.getByRole('button', { name: 'What is live' })).toHaveAttribute('aria-pressed', 'true');
  const title = diff.getByRole('row').filter({ hasText: 'fields.title' });
  await expect(title.locator('.diff-old')).toHaveText('Live title');
  await expect(title.locator('.diff-new')).toHaveText('Draft two');
  const rule = diff.getByRole('row').filter({ hasText: 'Audience rule' });
  await expect(rule.locator('.diff-old')).toContainText('segment');
  await expect(rule.locator('.diff-new')).toContainText('hiker');
  await expect(diff).not.toContainText('rule.');
  const starts = diff.getByRole('row').filter({ hasText: 'startsAt' });
  await expect(starts.locator('.diff-new')).toContainText('2027');
  await expect(starts.locator('.diff-new')).not.toContainText('123456');
  await expect(starts.locator('.diff-new')).not.toContainText('T09');
  await snap(page, '15-diff-against-live');

  await diff.getByRole('button', { name: 'The previous revision' }).click();
  await expect(title.locator('.diff-old')).toHaveText('Draft one');
  await expect(diff.getByRole('row').filter({ hasText: 'Audience rule' })).toHaveCount(0);
});
