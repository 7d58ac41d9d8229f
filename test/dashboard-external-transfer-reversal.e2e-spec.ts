// A transfer made from the Dashboard (an `external` row of ours, no metadata) and then reversed from
// the Dashboard: Stripe moves the reversed amount back from the seller's connected balance to the
// platform's; the marketplace books it as Stripe reports it (once), so the books still match Stripe.
import { expectBooksMatchStripe, ledgerEntries } from './support/checkout.js';
import { inboxSettled } from './support/inbox.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { adminTransfers, madeOrderFundsAvailable, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });
let sql: SqlClient;

beforeAll(() => {
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  await sql?.end();
});

it('a Dashboard transfer of 200 to seller A, then a Dashboard reversal of 100 of it: booked (A -100, platform +100), the books match Stripe', async () => {
  const { shop, order } = await madeOrderFundsAvailable(t);
  const dashboard = await t.stripe.transfers.create({ amount: 200, currency: 'usd', destination: shop.a.account, transfer_group: order.id, source_transaction: order.chargeId });
  await t.sandbox.control.webhooksIdle();
  const recorded = await waitFor(async () => (await adminTransfers(t, { sellerId: shop.a.id })).find((x) => x.stripeTransferId === dashboard.id), 20_000, 'the Dashboard transfer recorded');
  expect(recorded).toMatchObject({ kind: 'external', status: 'succeeded' });
  await expectBooksMatchStripe(t);

  const reversal = await t.stripe.transfers.createReversal(dashboard.id, { amount: 100 });
  await t.sandbox.control.webhooksIdle();
  await inboxSettled(t, sql);
  const entries = await ledgerEntries(t, order.id);
  expect(entries.filter((e) => e.idempotencyKey === `transfer-reversal:${reversal.id}`)).toHaveLength(1);
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await expectBooksMatchStripe(t);
});
