import { expect, signIn, signOut, snap, test, unique, ui, USERS } from './fixtures';

test('nordbank review: editor submits, reviewer approves with a note and publishes', async ({ page }) => {
  const name = `Review ${unique('e2e')}`;
  const note = 'Looks right, ship it.';

  // The editor writes a variant of the nordbank offer and submits it.
  await signIn(page, USERS.editor);
  await page.getByRole('combobox', { name: 'Brand' }).selectOption({ label: 'Nordbank' });
  await expect(page).toHaveURL(/\/admin\/b\/nordbank\/entries$/);
  await page.getByRole('link', { name: 'next-best-offer' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'next-best-offer' })).toBeVisible();
  await page.getByRole('link', { name: 'New variant' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('textbox', { name: /^title/ }).fill('A savings plan for your new home');
  await page.getByRole('button', { name: 'Create variant' }).click();
  await expect(page).toHaveURL(/\/variants\/(?!new$)[^/]+$/);
  const variantPath = new URL(page.url()).pathname.replace(/^\/admin\//, '');

  const workflow = page.getByRole('region', { name: 'Workflow' });
  await expect(workflow.getByText('Draft', { exact: true })).toBeVisible();
  // Nordbank requires approval: an editor may not publish, only submit.
  await expect(workflow.getByRole('button', { name: 'Publish' })).toHaveCount(0);
  await workflow.getByRole('button', { name: 'Submit for review' }).click();
  await expect(workflow.getByText('In review', { exact: true })).toBeVisible();
  await expect(workflow.getByText('Not live')).toBeVisible();
  // Nobody approves their own revision: the author has no usable Approve button.
  const ownApprove = workflow.getByRole('button', { name: 'Approve' });
  if (await ownApprove.count()) await expect(ownApprove).toBeDisabled();
  await expect(workflow.getByRole('button', { name: 'Publish' })).toHaveCount(0);
  await snap(page, '03-submitted-by-editor');
  await signOut(page);

  // The reviewer approves it with a note, then publishes it.
  await signIn(page, USERS.reviewer);
  await page.goto(ui(variantPath));
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(workflow.getByText('In review', { exact: true })).toBeVisible();
  await expect(workflow.getByRole('button', { name: 'Approve' })).toBeEnabled();
  await workflow.getByLabel('Review note').fill(note);
  await workflow.getByRole('button', { name: 'Approve' }).click();
  await expect(workflow.getByText('Approved', { exact: true })).toBeVisible();
  await expect(workflow.getByText(`“${note}”`)).toBeVisible();
  await expect(workflow.getByText(`by ${USERS.reviewer}`)).toBeVisible();
  await workflow.getByRole('button', { name: 'Publish' }).click();
  await expect(workflow.getByText('Published', { exact: true })).toBeVisible();
  // Published, but "Live" means some audience gets it (#24): the demo's untargeted "Everyone: easy
  // saver" outranks this untargeted variant everywhere, so the page says so instead.
  await expect(workflow.getByText('Not live')).toBeVisible();
  await expect(workflow.getByText('never served: covered by Everyone: easy saver')).toBeVisible();
  await snap(page, '03-published-by-reviewer');

  // The entry's table shows it published, and why no audience gets it.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'next-best-offer' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(row.getByText('Published', { exact: true })).toBeVisible();
  await expect(row.getByText('never served: covered by Everyone: easy saver')).toBeVisible();
});
