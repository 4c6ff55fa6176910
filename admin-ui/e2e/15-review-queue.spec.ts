import { apiSignIn, expect, gql, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { variant } from './seed';

test('a reviewer works from “Waiting for review”; a rejected draft reads “Changes requested” with the note', async ({ page, request }) => {
  const name = `Queue ${unique('e2e')}`;
  const note = 'Please shorten the title.';
  const editor = await apiSignIn(request, USERS.editor);
  const entry = await gql<{ entry: { id: string } }>(request, editor, '{ entry(brand: "nordbank", key: "next-best-offer") { id } }');
  const id = await variant(request, editor, entry.entry.id, { name, fields: { title: 'A savings plan for your new home' } });
  await gql(request, editor, 'mutation($id: ID!) { submitVariant(id: $id) { id } }', { id });

  await signIn(page, USERS.reviewer);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waiting for review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Waiting for review' })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(row).toContainText('next-best-offer');
  await expect(row).toContainText('Nordbank');
  await expect(row).toContainText(USERS.editor);
  await expect(row).toContainText(/just now|minute/);
  await snap(page, '15-review-queue');

  await row.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const workflow = page.getByRole('region', { name: 'Workflow' });
  await workflow.getByLabel('Review note').fill(note);
  await workflow.getByRole('button', { name: 'Reject' }).click();
  await expect(workflow.getByText('Changes requested', { exact: true })).toBeVisible();

  // Gone from the queue.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Waiting for review' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Waiting for review' })).toBeVisible();
  await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);

  // The entries list filters by status; the entry's table says what the reviewer asked for.
  await page.goto(ui('b/nordbank/entries'));
  await page.getByLabel('Status').selectOption({ label: 'Changes requested' });
  await expect(page.getByRole('link', { name: 'next-best-offer' })).toBeVisible();
  await page.getByRole('link', { name: 'next-best-offer' }).click();
  const variantRow = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(variantRow).toContainText('Changes requested');
  await expect(variantRow).toContainText(note);
  await expect(variantRow).not.toContainText('Draft');
});
