import { expect, signIn, snap, test, ui, USERS } from './fixtures';

test.use({ viewport: { width: 390, height: 844 } });

test('at 390 px every top-bar link is reachable, nothing scrolls sideways, the usage filter stays in its card', async ({ page }) => {
  await signIn(page, USERS.admin);
  await page.goto(ui('b/alpine/entries'));
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Entries', 'Waiting for review', 'Users', 'Brand settings', 'Usage', 'Audit']) {
    const link = nav.getByRole('link', { name, exact: true });
    await expect(link).toBeVisible();
    const box = await link.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390, `${name} is inside the screen`).toBeTruthy();
  }
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await width()).toBeLessThanOrEqual(390);
  await snap(page, '15-mobile-entries');

  await nav.getByRole('link', { name: 'Usage', exact: true }).click();
  const filter = page.getByRole('form', { name: 'Usage filter' });
  await expect(filter).toBeVisible();
  const card = await filter.boundingBox();
  const group = await filter.locator('fieldset').first().boundingBox();
  expect(card && group && group.x + group.width <= card.x + card.width + 1).toBeTruthy();
  expect(await width()).toBeLessThanOrEqual(390);
  await snap(page, '15-mobile-usage');
});
