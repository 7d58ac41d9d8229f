// transfer.* webhooks: confirm rows however often and in whatever order they arrive; a transfer
// made from the Dashboard is recorded and booked. (An event overtaking the worker's commit: transfers-recovery.)
import { bearer } from './factories/principal.factory.js';
import type { ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, stripeTransfersOf, twoSellerShop, waitForTransfers, type TwoSellerShop } from './support/transfers.js';

let t: TestApp;
let sql: SqlClient;
let a: ActiveSeller;
let cart: TwoSellerShop['cart'];

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '50' } });
  sql = sqlClient(t.databaseUrl);
  ({ a, cart } = await twoSellerShop(t));
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  await sql?.end();
  await t?.close();
});

it('every event delivered three times, shuffled: each row confirmed once, one ledger entry per transfer', async () => {
  t.sandbox.control.setWebhookFaults({ duplicate: 3, shuffle: true });
  try {
    const order = await cart();
    const rows = await waitForTransfers(t, order.id, (x) => x.status === 'succeeded', 'both transfers made');
    await t.sandbox.control.webhooksIdle();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    const entries = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries WHERE idempotency_key = ANY($1)`, [rows.map((r) => `transfer:${r.stripeTransferId}`)]);
    expect(entries).toEqual([{ n: 2 }]);
    // every delivery is acknowledged before it is processed: wait for the inbox worker to finish them
    const statuses = await waitFor(
      async () => {
        const events = await sql.query<{ status: string }>(`SELECT DISTINCT status FROM webhook_events WHERE type = 'transfer.created'`);
        return events.every((e) => e.status === 'processed' || e.status === 'failed') ? events.map((e) => e.status) : undefined;
      },
      15_000,
      'transfer.created events processed',
    );
    expect(statuses).toEqual(['processed']);
  } finally {
    t.sandbox.control.setWebhookFaults({ duplicate: 1, shuffle: false });
  }
  await expectBooksMatchStripe(t);
});

it('a transfer made from the Dashboard (no metadata of ours) is recorded as an external row and booked', async () => {
  await expectBooksMatchStripe(t); // the platform's fees are available: a transfer without source_transaction draws on them
  const dashboard = await t.stripe.transfers.create({ amount: 200, currency: 'usd', destination: a.account, description: 'goodwill' });
  const row = await waitFor(async () => (await adminTransfers(t)).find((x) => x.stripeTransferId === dashboard.id), 15_000, 'the Dashboard transfer recorded');
  expect(row).toMatchObject({ kind: 'external', status: 'succeeded', sellerId: a.id, amount: '200', orderId: null, destination: a.account });
  expect((await t.http.get('/sellers/me/transfers').set(bearer(a.key)).expect(200)).body.data.map((x: { id: string }) => x.id)).toContain(row.id);
  await expectBooksMatchStripe(t);
});
