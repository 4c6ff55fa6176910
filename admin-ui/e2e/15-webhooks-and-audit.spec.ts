/**
 * #24 item 12: a failed webhook delivery says why in words and is sent again; the audit log reads
 * newest first, narrows by who, action and date, and names what each row is about.
 *
 * The receiver is a real HTTP server on loopback (the suite's server allows private targets). A
 * delivery fails for good only after eight attempts spread over two minutes, so after the first
 * real failure the test moves the delivery to its last attempt in the database (as the API test
 * does); the server then makes that attempt, against the receiver, for real.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { apiSignIn, expect, gql, signIn, snap, test, ui, unique, USERS } from './fixtures';
import { publishedVariant, seedBrand, variant } from './seed';

/** A receiver that answers 500 until `healthy` is set, then 200. */
function receiver(): Promise<{ url: string; server: Server; heal: () => void; hits: () => number }> {
  let healthy = false;
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits += 1;
      res.writeHead(healthy ? 200 : 500).end();
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    ok({ url: `http://127.0.0.1:${port}/hook`, server, heal: () => { healthy = true; }, hits: () => hits });
  }));
}

type Delivery = { id: string; status: string; attempts: number };

async function latestDelivery(request: Parameters<typeof gql>[0], admin: string, brand: string): Promise<Delivery | undefined> {
  const data = await gql<{ webhooks: { deliveries: Delivery[] }[] }>(request, admin,
    'query($b: String) { webhooks(brand: $b) { deliveries { id status attempts } } }', { b: brand });
  return data.webhooks[0]?.deliveries[0];
}

/** Moves a delivery whose first attempt failed to its last attempt, due at once, while no sender holds it. */
async function skipToLastAttempt(id: string): Promise<void> {
  const db = join(process.env.VARY_E2E_DATA_DIR ?? '', 'vary.db');
  const sql = `UPDATE webhook_deliveries SET attempts = 7, next_attempt_at = created_at
    WHERE id = '${id}' AND status = 'PENDING' AND claimed_by IS NULL; SELECT changes();`;
  await expect.poll(() => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, sql]).toString().trim(), { timeout: 15_000 }).toBe('1');
}

test('a failed webhook says why and is sent again; the audit log is filtered and names its targets', async ({ page, request }) => {
  const brand = unique('hooks');
  const admin = await apiSignIn(request, USERS.admin);
  const entry = await seedBrand(request, admin, brand);
  const editorEmail = `${unique('ed')}@vary.test`;
  await gql(request, admin, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { email: editorEmail, password: 'editor-password-1', role: 'EDITOR', brands: [brand] } });
  const editor = await apiSignIn(request, editorEmail, 'editor-password-1');
  await variant(request, editor, entry, { name: 'Editor draft', fields: { title: 'Draft' } });

  const target = await receiver();
  try {
    await gql(request, admin, 'mutation($b: String!, $u: String!) { createWebhook(brand: $b, url: $u, events: [PUBLISHED]) { id } }',
      { b: brand, u: target.url });
    await publishedVariant(request, admin, entry, { name: 'Winter launch', fields: { title: 'Snow' } });
    await expect.poll(async () => (await latestDelivery(request, admin, brand))?.attempts ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    const delivery = (await latestDelivery(request, admin, brand))!;
    await skipToLastAttempt(delivery.id);
    await expect.poll(async () => (await latestDelivery(request, admin, brand))?.status, { timeout: 20_000 }).toBe('FAILED');

    // The webhooks page: the failure in words, and "Send again" once the receiver is fixed.
    await signIn(page, USERS.admin);
    await page.goto(ui(`webhooks?brand=${brand}`));
    const card = page.getByRole('article', { name: `Webhook ${target.url}` });
    const row = card.getByRole('row').filter({ hasText: 'published' });
    await expect(row).toContainText('Failed');
    await expect(row).toContainText('The receiver failed with a server error (HTTP 500): check the receiving service, then send again.');
    await expect(card).toContainText('One delivery failed after every retry.');
    await snap(page, '15-webhook-failed');
    target.heal();
    await row.getByRole('button', { name: 'Send again' }).click();
    await expect(row).toContainText(/Pending|Delivered/);
    await expect(row).toContainText('Delivered', { timeout: 15_000 });
    await expect(row.getByRole('button', { name: 'Send again' })).toHaveCount(0);
    expect(target.hits()).toBeGreaterThanOrEqual(3);
    await snap(page, '15-webhook-sent-again');
  } finally {
    target.server.close();
  }

  // The audit log: newest first, with names; the filters narrow it.
  await page.goto(ui(`audit?brand=${brand}`));
  const table = page.getByRole('table', { name: 'Audit entries' });
  const firstRow = table.getByRole('row').nth(1);
  await expect(firstRow).toContainText('redeliverWebhook');
  await expect(firstRow).toContainText(`published to ${target.url}`);
  const times = await table.locator('tbody time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''));
  expect(times.length).toBeGreaterThan(4);
  expect(times).toEqual([...times].sort().reverse());
  await expect(table.getByRole('row').filter({ hasText: 'variant.publish' })).toContainText('home / Winter launch');

  const filter = page.getByRole('form', { name: 'Audit filter' });
  await filter.getByLabel('Who').fill(editorEmail);
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText('variant.create');
  await expect(table.getByRole('row').nth(1)).toContainText('home / Editor draft');
  await expect(page.getByRole('region', { name: 'Export' })).toContainText(`by ${editorEmail}`);

  await filter.getByLabel('Who').fill('');
  await filter.getByLabel('Action').fill('variant.publish');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1)).toContainText(USERS.admin);
  await snap(page, '15-audit-filtered');

  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  await filter.getByLabel('From (UTC)').fill(tomorrow);
  await expect(page.getByText('No audit entries match this filter.')).toBeVisible();
  await filter.getByRole('button', { name: 'Clear filter' }).click();
  await expect(filter.getByLabel('Action')).toHaveValue('');
  await expect(table.getByRole('row').nth(2)).toBeVisible();
});
