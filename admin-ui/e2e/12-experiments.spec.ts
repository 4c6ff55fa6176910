/**
 * Issue #22's journey: an admin creates an experiment on an entry from its page, starts
 * it, an app delivers the entry to people (a delivery key with user keys) and tracks clicks, the
 * report shows per arm what the test counted itself and the decision, the simulator shows a
 * person's arm, the experiment is concluded with a winner, and an auditor sees it with no buttons.
 */
import type { APIRequestContext } from '@playwright/test';
import { apiSignIn, expect, gql, signIn, signOut, snap, test, ui, unique, USERS } from './fixtures';

const PEOPLE = 24;
const MIN_PER_ARM = 30;

interface Delivered { servedId: string; reason: string; variant: { name: string } | null }

const CONTENT = 'query ($key: String!, $user: String!) { content(brand: "alpine", key: $key, context: { userKey: $user, device: MOBILE, locale: "en" }) { servedId reason variant { name } } }';

/** An entry `key` in alpine with two published variants for everyone (the first ranks higher); their ids. */
async function entryWithTwoVariants(request: APIRequestContext, admin: string, key: string, first: string, second: string) {
  const { createEntry } = await gql(request, admin, 'mutation ($input: CreateEntryInput!) { createEntry(input: $input) { id } }', {
    input: { brand: 'alpine', key, contentType: 'Hero', description: 'made by the e2e experiments journey' },
  });
  const ids: string[] = [];
  for (const [variantName, priority] of [[first, 10], [second, 0]] as const) {
    const { createVariant } = await gql(request, admin, 'mutation ($input: CreateVariantInput!) { createVariant(input: $input) { id } }', {
      input: { entryId: createEntry.id, name: variantName, priority, fields: { title: variantName } },
    });
    await gql(request, admin, 'mutation ($id: ID!) { publishVariant(id: $id) { live } }', { id: createVariant.id });
    ids.push(createVariant.id);
  }
  return { entryId: createEntry.id as string, variantIds: ids };
}

test('an experiment is created, started, read, simulated and concluded', async ({ page }) => {
  test.setTimeout(120_000);
  const key = unique('e2e-exp');
  const name = `Hero test ${key}`;
  const calm = `Calm ${key}`;
  const bold = `Bold ${key}`;

  // Set-up through the API: an entry of its own in alpine with two published variants for everyone.
  const admin = await apiSignIn(page.request, USERS.admin);
  await entryWithTwoVariants(page.request, admin, key, calm, bold);

  // The entry page's Experiments panel: a new experiment, calm (control) against bold, 50/50.
  await signIn(page, USERS.admin);
  await page.goto(ui(`b/alpine/entries/${key}`));
  const panel = page.getByRole('region', { name: 'Experiments' });
  await expect(panel.getByText('This entry has no experiments yet.')).toBeVisible();
  await panel.getByRole('button', { name: 'New experiment' }).click();
  const form = panel.getByRole('form', { name: 'New experiment' });
  await form.getByRole('button', { name: 'Create experiment' }).click();
  await expect(form.getByText('Give the experiment a name.')).toBeVisible();
  await form.getByLabel('Experiment name').fill(name);
  await form.getByLabel('Hypothesis (optional)').fill('the bold hero gets more clicks');
  await form.getByLabel('Arm 1 name (control)').fill('calm');
  await form.getByLabel('Arm 1 serves').selectOption({ label: `Variant “${calm}”` });
  await form.getByLabel('Arm 2 name').fill('bold');
  await form.getByLabel('Arm 2 serves').selectOption({ label: `Variant “${bold}”` });
  // The live sum of the weights, and the share it leaves out.
  await form.getByLabel('Arm 2 weight (%)').fill('30');
  await expect(form.getByText('The weights add up to 80 %: 20 % of the audience stays out of the experiment and gets what personalization picks.')).toBeVisible();
  await form.getByLabel('Arm 2 weight (%)').fill('51');
  await expect(form.getByText('The weights add up to 101 %, 1 more than 100 %: lower them.')).toBeVisible();
  await form.getByLabel('Arm 2 weight (%)').fill('40');
  await expect(form.getByText('The weights add up to 90 %: 10 % of the audience stays out of the experiment and gets what personalization picks.')).toBeVisible();
  await expect(form.getByLabel('A click')).toBeChecked();
  await expect(form.getByLabel(/Fixed split/)).toBeChecked();
  await form.getByLabel('Minimum per arm before deciding').fill(String(MIN_PER_ARM));

  // An audience pattern the server refuses: told on its row, in words, then dropped.
  await form.getByRole('button', { name: 'Target an audience' }).click();
  await form.getByLabel('Attribute', { exact: true }).fill('segment');
  await form.getByLabel('Operator').selectOption({ label: 'matches pattern' });
  await form.getByLabel('segment value', { exact: true }).fill('(?=x)y');
  await form.getByRole('button', { name: 'Create experiment' }).click();
  await expect(form.locator('.rule-issues')).toContainText('The pattern is not valid');
  await expect(form.locator('.rule-issues')).not.toContainText('$.');
  await form.getByRole('button', { name: 'Show to everyone' }).click();
  await form.getByRole('button', { name: 'Create experiment' }).click();

  // A draft: it can be edited, and it may start but not stop; the buttons say why.
  const table = panel.getByRole('table', { name: 'Experiments of this entry' });
  const row = table.getByRole('row').filter({ hasText: name });
  await expect(row.getByText('Draft', { exact: true })).toBeVisible();
  await expect(row.getByText('calm 50 % · bold 40 %')).toBeVisible();
  await row.getByRole('button', { name: 'Edit draft' }).click();
  const edit = panel.getByRole('form', { name: `Edit “${name}”` });
  await expect(edit.getByLabel('Minimum per arm before deciding')).toHaveValue(String(MIN_PER_ARM));
  await edit.getByLabel('Arm 2 weight (%)').fill('50');
  await expect(edit.getByText('The weights add up to 100 %: everyone in the audience takes part.')).toBeVisible();
  await edit.getByRole('button', { name: 'Save draft' }).click();
  await expect(row.getByText('calm 50 % · bold 50 %')).toBeVisible();
  const run = row.getByRole('group', { name: `Run “${name}”` });
  await expect(run.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await expect(run.getByText('This experiment is a draft; only a running experiment can be stopped.')).toBeVisible();
  await run.getByRole('button', { name: 'Start' }).click();
  await expect(row.getByText('Running', { exact: true })).toBeVisible();
  await expect(run.getByRole('button', { name: 'Start' })).toBeDisabled();
  await snap(page, '12-experiments-panel');

  // An app asks for the entry for PEOPLE people, twice each, and one in three clicks its first answer.
  const { createDeliveryKey } = await gql(page.request, admin, 'mutation ($name: String!) { createDeliveryKey(brand: "alpine", name: $name) { token } }', {
    name: unique('e2e-exp-key'),
  });
  const deliveryKey: string = createDeliveryKey.token;
  const counted: Record<string, { people: number; converters: number }> = { calm: { people: 0, converters: 0 }, bold: { people: 0, converters: 0 } };
  const armOf: Record<string, string> = {};
  const clicks: string[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const userKey = `${key}-person-${i}`;
    const answers: Delivered[] = [];
    for (let n = 0; n < 2; n++) {
      const { content } = await gql(page.request, deliveryKey, CONTENT, { key, user: userKey });
      answers.push(content);
    }
    const arm = /^experiment "[^"]+" arm (\w+);/.exec(answers[0].reason)?.[1] ?? 'none';
    expect(arm === 'calm' || arm === 'bold', `enrolled: ${answers[0].reason}`).toBe(true);
    expect(answers[1].reason.startsWith(`experiment "${name}" arm ${arm};`), 'the same person keeps the arm').toBe(true);
    expect(answers[0].variant?.name).toBe(arm === 'calm' ? calm : bold);
    armOf[userKey] = arm;
    counted[arm].people += 1;
    if (i % 3 === 0) {
      clicks.push(answers[0].servedId);
      counted[arm].converters += 1;
    }
  }
  const { track } = await gql(page.request, deliveryKey,
    'mutation ($events: [TrackInput!]!) { track(events: $events) { accepted rejected { index code } } }',
    { events: clicks.map((servedId) => ({ servedId, kind: 'CLICK' })) });
  expect(track).toEqual({ accepted: clicks.length, rejected: [] });

  // Reports reflect events within 2 s: wait for the report to count what the test counted.
  const { experiments } = await gql(page.request, admin, 'query ($key: String!) { experiments(brand: "alpine", entry: $key) { id name } }', { key });
  const id: string = experiments.find((e: { name: string }) => e.name === name).id;
  await expect.poll(async () => {
    const { experimentReport } = await gql(page.request, admin, 'query ($id: ID!) { experimentReport(id: $id) { arms { arm { name } people converters } } }', { id });
    return experimentReport.arms.map((a: { arm: { name: string }; people: number; converters: number }) => [a.arm.name, a.people, a.converters]);
  }, { timeout: 5_000 }).toEqual([['calm', counted.calm.people, counted.calm.converters], ['bold', counted.bold.people, counted.bold.converters]]);

  // The report, from the experiment's link: a row per arm with the test's own counts, and the decision.
  await row.getByRole('link', { name }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/b/alpine/experiments/${id}$`));
  await expect(page.getByRole('heading', { level: 1, name: `Experiment “${name}”` })).toBeVisible();
  const results = page.getByRole('table', { name: 'Results per arm' });
  await expect(results.getByRole('columnheader').first()).toHaveText('Arm');
  const rate = (c: { people: number; converters: number }) => `${((c.converters / c.people) * 100).toFixed(1)} %`;
  for (const [arm, label, serves] of [['calm', 'calm (control)', `variant “${calm}”`], ['bold', 'bold', `variant “${bold}”`]] as const) {
    const armRow = results.getByRole('row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
    const cells = armRow.getByRole('cell');
    await expect(cells.nth(0)).toHaveText(serves);
    await expect(cells.nth(1)).toHaveText(String(counted[arm].people));
    await expect(cells.nth(2)).toHaveText(String(counted[arm].converters));
    await expect(cells.nth(3)).toHaveText(rate(counted[arm]));
    await expect(cells.nth(10)).toHaveText('50 %');
  }
  // The control has no uplift against itself.
  await expect(results.getByRole('row').filter({ hasText: 'calm (control)' }).getByRole('cell').nth(5)).toHaveText('—');
  await expect(page.getByRole('img', { name: /^Rate per arm with its 95 % interval: calm \(control\) \d+\.\d %/ })).toBeVisible();
  const smallest = Math.min(counted.calm.people, counted.bold.people);
  await expect(page.locator('.exp-decision')).toHaveText(`Keep running: the smallest arm needs ${MIN_PER_ARM - smallest} more people to reach ${MIN_PER_ARM}.`);
  await expect(page.getByText('Sample ratio mismatch.')).toHaveCount(0);
  await snap(page, '12-experiments-report');

  // The simulator on the entry page shows the arm a given person gets.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: key }).click();
  const person = `${key}-person-0`;
  await page.getByLabel('User key (optional)').fill(person);
  await page.getByRole('button', { name: 'Show what they get' }).click();
  await expect(page.getByText(`The person “${person}” is in the experiment “${name}” and gets the arm “${armOf[person]}”.`)).toBeVisible();

  // Concluded with a winner: the panel says so, and nothing more can be done.
  const panelRow = page.getByRole('region', { name: 'Experiments' }).getByRole('table').getByRole('row').filter({ hasText: name });
  const runIt = panelRow.getByRole('group', { name: `Run “${name}”` });
  await expect(runIt.getByRole('button', { name: 'Conclude' })).toBeDisabled();
  await runIt.getByLabel('Winning arm').selectOption({ label: 'bold' });
  await runIt.getByRole('button', { name: 'Conclude' }).click();
  await expect(panelRow.getByText('Concluded', { exact: true })).toBeVisible();
  await expect(panelRow.getByText('winner: bold')).toBeVisible();
  await expect(runIt.getByRole('button', { name: 'Stop' })).toBeDisabled();
  await expect(runIt.getByText('This experiment is concluded; only a running experiment can be stopped.')).toBeVisible();

  // After the conclusion the person is no longer enrolled.
  await page.getByRole('button', { name: 'Show what they get' }).click();
  await expect(page.getByText(/is in the experiment/)).toHaveCount(0);

  // An auditor reads the experiments but gets nothing to press.
  await signOut(page);
  await signIn(page, USERS.auditor);
  await page.goto(ui(`b/alpine/entries/${key}`));
  const auditorPanel = page.getByRole('region', { name: 'Experiments' });
  await expect(auditorPanel.getByRole('row').filter({ hasText: name }).getByText('Concluded', { exact: true })).toBeVisible();
  await expect(auditorPanel.getByRole('button')).toHaveCount(0);
});

test('a skewed sample raises the sample-ratio warning in plain words', async ({ page }) => {
  test.setTimeout(120_000);
  const key = unique('e2e-exp-srm');
  const name = `Skewed ${key}`;
  const admin = await apiSignIn(page.request, USERS.admin);
  const { entryId, variantIds } = await entryWithTwoVariants(page.request, admin, key, `A ${key}`, `B ${key}`);
  const { createExperiment } = await gql(page.request, admin, 'mutation ($input: CreateExperimentInput!) { createExperiment(input: $input) { id } }', {
    input: { entryId, name, goal: 'CLICK', arms: [{ name: 'a', variant: variantIds[0], weight: 50 }, { name: 'b', variant: variantIds[1], weight: 50 }] },
  });
  const id: string = createExperiment.id;
  await gql(page.request, admin, 'mutation ($id: ID!) { startExperiment(id: $id) { status } }', { id });

  // The crafted skew: preview (which records nothing) tells each person's arm; the app then asks
  // for the entry for 30 people of arm a and only 3 of arm b, where the weights promise an even split.
  const inArm: Record<string, string[]> = { a: [], b: [] };
  for (let i = 0; (inArm.a.length < 30 || inArm.b.length < 3) && i < 300; i++) {
    const user = `${key}-p${i}`;
    const { preview } = await gql(page.request, admin, 'query ($key: String!, $user: String!) { preview(brand: "alpine", key: $key, context: { userKey: $user }) { reason } }', { key, user });
    const arm = /^experiment "[^"]+" arm (\w+);/.exec(preview.reason)?.[1] ?? 'none';
    inArm[arm]?.push(user);
  }
  expect([inArm.a.length >= 30, inArm.b.length >= 3], 'preview names the arm of every person').toEqual([true, true]);
  const { createDeliveryKey } = await gql(page.request, admin, 'mutation ($name: String!) { createDeliveryKey(brand: "alpine", name: $name) { token } }', { name: unique('e2e-srm-key') });
  for (const user of [...inArm.a.slice(0, 30), ...inArm.b.slice(0, 3)]) {
    await gql(page.request, createDeliveryKey.token, CONTENT, { key, user });
  }
  await expect.poll(async () => {
    const { experimentReport } = await gql(page.request, admin, 'query ($id: ID!) { experimentReport(id: $id) { sampleRatioMismatch arms { people } } }', { id });
    return [experimentReport.sampleRatioMismatch, ...experimentReport.arms.map((a: { people: number }) => a.people)];
  }, { timeout: 5_000 }).toEqual([true, 30, 3]);

  await signIn(page, USERS.admin);
  await page.goto(ui(`b/alpine/experiments/${id}`));
  await expect(page.getByRole('heading', { level: 1, name: `Experiment “${name}”` })).toBeVisible();
  const warning = page.getByRole('alert').filter({ hasText: 'Sample ratio mismatch.' });
  await expect(warning).toContainText('The arms did not get the share of people their weights promise (got a 30, b 3; expected about a 17, b 17; p < 0.001).');
  await expect(warning).toContainText('these results cannot be trusted');
  await expect(page.locator('.exp-decision')).toContainText('The sample ratio is broken');
  await snap(page, '12-experiments-srm');
});
