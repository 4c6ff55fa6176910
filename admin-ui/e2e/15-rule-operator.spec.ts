import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test('changing the operator carries the value into its type; a server rule fault shows on its row in words', async ({ page }) => {
  await signIn(page, USERS.editor);
  await page.goto(ui('b/alpine/entries/home-hero/variants/new'));
  await page.getByLabel('Name', { exact: true }).fill('Operator trap');
  await page.getByRole('textbox', { name: /^title/ }).fill('Fresh powder');
  await page.getByRole('button', { name: 'Target an audience' }).click();
  await page.getByLabel('Attribute', { exact: true }).fill('age');
  await page.getByLabel('age value: type').selectOption({ label: 'number' });
  await page.getByLabel('age value', { exact: true }).fill('34');

  // "matches pattern" takes text: the number's text is carried over, no contradictory errors.
  await page.getByLabel('Operator').selectOption({ label: 'matches pattern' });
  await expect(page.getByLabel('age value', { exact: true })).toHaveValue('34');
  await expect(page.getByLabel('age value: type')).toHaveCount(0);
  await expect(page.locator('.rule-issues')).toHaveCount(0);

  // Back to a number operator: the text reads as a number and stays.
  await page.getByLabel('Operator').selectOption({ label: 'is greater than' });
  await expect(page.getByLabel('age value', { exact: true })).toHaveValue('34');
  await expect(page.locator('.rule-issues')).toHaveCount(0);

  // A pattern the browser accepts but the server refuses: the fault is on the row, in words.
  await page.getByLabel('Operator').selectOption({ label: 'matches pattern' });
  await page.getByLabel('age value', { exact: true }).fill('(?=3)4');
  await page.getByRole('button', { name: 'Create variant' }).click();
  const issue = page.locator('.rule-issues');
  await expect(issue).toContainText('The pattern is not valid');
  await expect(issue).not.toContainText('$.');
  await expect(page.getByRole('alert').filter({ hasText: '$.' })).toHaveCount(0);
  await snap(page, '15-rule-operator');
});
