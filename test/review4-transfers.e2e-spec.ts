// Review 4 of the transfers module: the ways it could pay a seller twice or not at all. The
// transfers worker is driven by hand (its loop idles), so each moment is the test's.
import { bearer } from './factories/principal.factory.js';
import type { ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, stripeTransfersOf, twoSellerShop, type TransferJson, type TwoSellerShop } from './support/transfers.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { setTransfersCapability } from './support/onboarding.js';

let t: TestApp;
let sql: SqlClient;
let a: ActiveSeller;
let b: ActiveSeller;
let cart: TwoSellerShop['cart'];

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', TRANSFERS_RETRY_BASE_MS: '0', TRANSFERS_INACTIVE_RECHECK_MS: '0', STRIPE_MAX_RETRIES: '0' } });
  sql = sqlClient(t.databaseUrl);
  ({ a, b, cart } = await twoSellerShop(t));
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  await sql?.end();
  await t?.close();
});

const worker = () => t.app.get(TransferSubmissionService);
const rowsOf = async (orderId: string) => (await adminTransfers(t)).filter((x) => x.orderId === orderId && x.kind === 'order');

async function drain(orderId: string, rounds = 30): Promise<TransferJson[]> {
  for (let i = 0; i < rounds; i++) {
    await worker().runOnce();
    const rows = await rowsOf(orderId);
    if (rows.length && rows.every((r) => r.status === 'succeeded')) return rows;
  }
  throw new Error(`order ${orderId}'s transfers did not settle: ${JSON.stringify(await rowsOf(orderId))}`);
}

async function rowParams(rowId: string) {
  return await sql.one<{
    idempotency_key: string;
    stripe_params: { amount: string; currency: string; destination: string; transfer_group: string; source_transaction: string; metadata: Record<string, string> };
  }>(`SELECT idempotency_key, stripe_params FROM transfers WHERE id = $1`, [rowId]);
}

describe('review4: transfers', () => {
  it('a row failed although its transfer was made (e.g. its read after the create was refused): the admin retry looks Stripe up first, no second transfer', async () => {
    const order = await cart();
    t.sandbox.control.setWebhookFaults({ outage: true }); // the worker, not the webhook, must find it
    try {
      const rows = await rowsOf(order.id);
      const row = rows.find((r) => r.sellerId === a.id)!;
      // what the worker's state is when the create succeeded but a call after it (the py_ read) was
      // refused for good (404/403 are "definitive"): the row ends failed with the transfer at Stripe
      await sql.query(`UPDATE transfers SET status = 'submitting', key_first_sent_at = now(), submit_attempts = 1 WHERE id = $1`, [row.id]);
      const { idempotency_key: key, stripe_params: p } = await rowParams(row.id);
      await t.stripe.transfers.create(
        { amount: Number(p.amount), currency: p.currency, destination: p.destination, transfer_group: p.transfer_group, source_transaction: p.source_transaction, metadata: p.metadata },
        { idempotencyKey: key },
      );
      await sql.query(`UPDATE transfers SET status = 'failed', failure_code = 'resource_missing', failure_message = 'No such charge', next_attempt_at = NULL WHERE id = $1`, [row.id]);
      // the admin sees a failed transfer and retries it: without a look-up the worker sends a second
      // transfer under the new key (here Stripe's source_transaction cap, 400 of the charge left,
      // refuses it and the row stays failed for good; a share under what is left is paid twice)
      await t.http.post(`/admin/transfers/${row.id}/retry`).set(bearer(t.adminKey)).expect(200);
      await drain(order.id);
      const atStripe = (await stripeTransfersOf(t, order.id)).filter((tr) => tr.metadata.transfer_id === row.id);
      expect(atStripe).toHaveLength(1);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await expectBooksMatchStripe(t);
  });

  it("a Dashboard transfer carrying a copy of our metadata does not stand in for the seller's transfer: the seller still gets their share, the other is recorded external", async () => {
    const order = await cart();
    const row = (await rowsOf(order.id)).find((r) => r.sellerId === a.id)!;
    const { stripe_params: p } = await rowParams(row.id);
    // someone makes a small transfer from the Dashboard, pasting the order's metadata
    const dashboard = await t.stripe.transfers.create({
      amount: 100,
      currency: p.currency,
      destination: p.destination,
      transfer_group: p.transfer_group,
      source_transaction: p.source_transaction,
      metadata: p.metadata,
    });
    await waitFor(async () => ((await sql.query(`SELECT 1 FROM transfers WHERE stripe_transfer_id = $1`, [dashboard.id])).length ? true : undefined), 15_000, 'the Dashboard transfer recorded');
    await drain(order.id);
    const mine = (await rowsOf(order.id)).find((r) => r.id === row.id)!;
    expect(mine.stripeTransferId).not.toBe(dashboard.id);
    expect(mine.amount).toBe(p.amount);
    const toA = (await stripeTransfersOf(t, order.id)).filter((tr) => tr.destination === a.account);
    expect(toA.map((tr) => tr.amount).sort((x, y) => x - y)).toEqual([100, Number(p.amount)].sort((x, y) => x - y));
    const external = await sql.query<{ kind: string }>(`SELECT kind FROM transfers WHERE stripe_transfer_id = $1`, [dashboard.id]);
    expect(external).toEqual([{ kind: 'external' }]);
    await expectBooksMatchStripe(t);
  });

  it("a worker's lease runs out while its Stripe call is still in flight: the second worker looks up, sends the same key (Stripe: in progress), and each transfer exists once", async () => {
    const order = await cart();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'latency', latencyMs: 1_500, count: 2 });
    const first = worker().runOnce();
    await waitFor(async () => ((await sql.query(`SELECT 1 FROM transfers WHERE order_id = $1 AND status = 'submitting'`, [order.id])).length === 2 ? true : undefined), 10_000, 'both rows submitting');
    // the first worker's lease ran out (it is slow, not dead): a second takes the rows over
    await sql.query(`UPDATE transfers SET next_attempt_at = now() - interval '1 second' WHERE order_id = $1 AND status = 'submitting'`, [order.id]);
    const second = worker().runOnce();
    await Promise.all([first, second]);
    const rows = await drain(order.id);
    const counts: Record<string, number> = {};
    for (const tr of await stripeTransfersOf(t, order.id)) counts[tr.metadata.transfer_id!] = (counts[tr.metadata.transfer_id!] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(Object.values(counts)).toEqual([1, 1]);
    await expectBooksMatchStripe(t);
  });

  it("a stale worker (it claimed the row before it failed and an admin retried it) does not undo the admin's retry by sending the old key again", async () => {
    const order = await cart();
    const row = (await rowsOf(order.id)).find((r) => r.sellerId === b.id)!;
    const setTransfers = (requested: boolean) => setTransfersCapability(t, b.account, requested);
    t.sandbox.control.setWebhookFaults({ outage: true }); // our books still think B can receive transfers
    try {
      // B's row was sent before (its answer was lost): submitting, its lease run out; A's row waits
      await sql.query(`UPDATE transfers SET status = 'submitting', key_first_sent_at = now(), submit_attempts = 1, next_attempt_at = now() - interval '1 second' WHERE id = $1`, [row.id]);
      await sql.query(`UPDATE transfers SET next_attempt_at = now() + interval '1 hour' WHERE order_id = $1 AND id <> $2`, [order.id, row.id]);
      await setTransfers(false);
      // worker 1 claims it and is slow in its look-up
      t.sandbox.control.addFault({ method: 'GET', path: '/v1/transfers', kind: 'latency', latencyMs: 2_000, count: 1 });
      const stale = worker().runOnce();
      await new Promise((r) => setTimeout(r, 400));
      // its lease runs out; worker 2 takes the row, sends it, Stripe refuses it for good
      await sql.query(`UPDATE transfers SET next_attempt_at = now() - interval '1 second' WHERE id = $1`, [row.id]);
      await worker().runOnce();
      expect((await rowsOf(order.id)).find((r) => r.id === row.id)).toMatchObject({ status: 'failed', keyGeneration: 0 });
      // the admin fixes the cause and retries: a new attempt under generation 1
      await setTransfers(true);
      expect((await t.http.post(`/admin/transfers/${row.id}/retry`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ status: 'pending', keyGeneration: 1 });
      await stale; // worker 1 wakes up with the row as it claimed it (generation 0)
      await sql.query(`UPDATE transfers SET next_attempt_at = NULL WHERE order_id = $1 AND status = 'pending'`, [order.id]);
      const rows = await drain(order.id);
      expect(rows.find((r) => r.id === row.id)).toMatchObject({ status: 'succeeded', keyGeneration: 1 });
      const atStripe = await stripeTransfersOf(t, order.id);
      expect(atStripe).toHaveLength(2);
    } finally {
      await setTransfers(true);
      t.sandbox.control.releaseWebhooks();
    }
    await waitFor(async () => ((await t.http.get('/sellers/me').set(bearer(b.key))).body.status === 'active' ? true : undefined), 15_000, 'seller B active');
    await expectBooksMatchStripe(t);
  });
});
