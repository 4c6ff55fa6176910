import { apiSignIn, expect, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { seedBrand, variant } from './seed';

test('publishing waits for a blocking check, with the reason beside the button; the counter shows the binding limit', async ({ page, request }) => {
  const slug = unique('block');
  const admin = await apiSignIn(request, USERS.admin);
  const entry = await seedBrand(request, admin, slug, { maxTitleLength: 10 });
  const id = await variant(request, admin, entry, { name: 'Too long', fields: { title: 'Twenty characters!!!' } });

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/${slug}/entries/home/variants/${id}`));
  const workflow = page.getByRole('region', { name: 'Workflow' });
  const publish = workflow.getByRole('button', { name: 'Publish' });
  await expect(publish).toBeDisabled();
  await expect(workflow.getByText('Cannot publish yet: the title has 20 characters; the brand allows 10. Fix it and save first.')).toBeVisible();
  await expect(page.getByText('20 / 10 characters (the brand’s limit)')).toBeVisible();
  await snap(page, '15-blocking-checks');

  await page.getByRole('textbox', { name: /^title/ }).fill('Short');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('All changes saved')).toBeVisible();
  await expect(publish).toBeEnabled();
});
