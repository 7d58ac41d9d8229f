// Transfers that crash, lose their answer, outlive their key, get refused, wait for their seller:
// the transfers worker is driven by hand (its loop idles), so each moment is the test's.
import { StripeGateway } from '@app/stripe';
import { DataSource } from 'typeorm';
import { TransferOutcomeService } from '../apps/marketplace/src/transfers/transfer-outcome.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { Transfer } from '../apps/marketplace/src/transfers/transfer.entity.js';
import { bearer } from './factories/principal.factory.js';
import type { ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, ledgerEntries, sumLines } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, stripeTransfersOf, twoSellerShop, type TransferJson, type TwoSellerShop } from './support/transfers.js';
import { setTransfersCapability as setCapability } from './support/onboarding.js';

let t: TestApp;
let sql: SqlClient;
let a: ActiveSeller;
let b: ActiveSeller;
let cart: TwoSellerShop['cart'];

beforeAll(async () => {
  // the loop idles (a round at boot, then an hour's sleep): rounds are run by the test; no gateway retries, so every failure reaches the row
  t = await startTestApp({
    env: { TRANSFERS_WORKER_POLL_MS: '3600000', TRANSFERS_RETRY_BASE_MS: '0', TRANSFERS_INACTIVE_RECHECK_MS: '0', STRIPE_MAX_RETRIES: '0' },
  });
  sql = sqlClient(t.databaseUrl);
  ({ a, b, cart } = await twoSellerShop(t));
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  await sql?.end();
  await t?.close();
});

const worker = () => t.app.get(TransferSubmissionService);
const rowsOf = async (orderId: string) => (await adminTransfers(t)).filter((x) => x.orderId === orderId);

/** Rounds of the worker until every row of the order is settled (or `accept` holds). */
async function drain(orderId: string, accept: (rows: TransferJson[]) => boolean = (rows) => rows.every((r) => r.status === 'succeeded'), rounds = 30) {
  for (let i = 0; i < rounds; i++) {
    await worker().runOnce();
    const rows = await rowsOf(orderId);
    if (rows.length && accept(rows)) return rows;
  }
  throw new Error(`order ${orderId}'s transfers did not settle: ${JSON.stringify(await rowsOf(orderId))}`);
}

/** Per transfer row id, how many transfers the sandbox holds for it (by metadata). */
async function countAtStripe(orderId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const tr of await stripeTransfersOf(t, orderId)) counts[tr.metadata.transfer_id!] = (counts[tr.metadata.transfer_id!] ?? 0) + 1;
  return counts;
}

/** A worker's state after its transaction 1 (it died, or is still calling): the order's rows submitting, their keys first sent `sentAgo` ago, leased for `lease`. */
async function leftInSubmitting(orderId: string, o: { sentAgo: string; lease: string }) {
  await sql.query(`UPDATE transfers SET status = 'submitting', key_first_sent_at = now() - $2::interval, submit_attempts = 1, next_attempt_at = now() + $3::interval WHERE order_id = $1`, [
    orderId,
    o.sentAgo,
    o.lease,
  ]);
}

/** The call that worker made for the order's first row: the row's own parameters, sent with the row's own key. */
async function sentAtStripe(orderId: string) {
  const row = await sql.one<{
    id: string;
    idempotency_key: string;
    stripe_params: { amount: string; currency: string; destination: string; transfer_group: string; source_transaction: string; metadata: Record<string, string> };
  }>(`SELECT id, idempotency_key, stripe_params FROM transfers WHERE order_id = $1 ORDER BY id LIMIT 1`, [orderId]);
  const p = row.stripe_params;
  const transfer = await t.stripe.transfers.create(
    { amount: Number(p.amount), currency: p.currency, destination: p.destination, transfer_group: p.transfer_group, source_transaction: p.source_transaction, metadata: p.metadata },
    { idempotencyKey: row.idempotency_key },
  );
  return { id: row.id, transfer };
}

const setTransfersCapability = (seller: ActiveSeller, requested: boolean) => setCapability(t, seller.account, requested);

const sellerStatus = async (s: ActiveSeller) => (await t.http.get('/sellers/me').set(bearer(s.key)).expect(200)).body.status as string;

describe('crash recovery', () => {
  it('lost answers: the row is looked up before anything is sent again; each transfer exists once', async () => {
    const order = await cart();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 2 });
    const rows = await drain(order.id);
    expect(rows).toHaveLength(2);
    const counts = await countAtStripe(order.id);
    expect(Object.keys(counts).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(Object.values(counts)).toEqual([1, 1]);
    await expectBooksMatchStripe(t);
  });

  it('rows left in submitting, one whose call reached Stripe and one whose did not: after the worker runs each exists once, both succeeded', async () => {
    const order = await cart();
    // a worker died after transaction 1: both rows submitting with their keys, one call made at Stripe (with the row's own key and parameters)
    await leftInSubmitting(order.id, { sentAgo: '0 seconds', lease: '-1 second' });
    t.sandbox.control.setWebhookFaults({ outage: true }); // the worker, not the webhook, must find it
    try {
      const made = await sentAtStripe(order.id);
      const rows = await drain(order.id);
      expect(rows.find((r) => r.id === made.id)).toMatchObject({ status: 'succeeded', keyGeneration: 0, attempts: 1 });
      expect(Object.values(await countAtStripe(order.id))).toEqual([1, 1]);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await expectBooksMatchStripe(t);
  });

  it("transfer.created arriving while the worker is still between its Stripe call and its commit: the event records the row; the worker's late commit changes nothing", async () => {
    const order = await cart();
    // a live worker's state mid-call: submitting, under its lease, the transfer made at Stripe with the row's key
    await leftInSubmitting(order.id, { sentAgo: '0 seconds', lease: '1 hour' });
    const { id: rowId, transfer: made } = await sentAtStripe(order.id);
    const recorded = await waitFor(async () => (await rowsOf(order.id)).find((r) => r.id === rowId && r.status === 'succeeded'), 15_000, 'the webhook recorded the row');
    expect(recorded.stripeTransferId).toBe(made.id);
    // the worker's transaction 2 comes late, with the same answer
    const outcome = t.app.get(TransferOutcomeService);
    const entity = (await t.app.get(DataSource).getRepository(Transfer).findOneBy({ id: rowId }))!;
    const answer = await outcome.read(await t.app.get(StripeGateway).retrieveTransfer(made.id));
    expect(await t.app.get(DataSource).transaction((tx) => outcome.recordMade(tx, entity, answer))).toBe(false);
    const booked = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_entries WHERE idempotency_key = $1`, [`transfer:${made.id}`]);
    expect(booked).toEqual([{ n: 1 }]);
    // the other row's worker died: its lease runs out and it is finished
    await sql.query(`UPDATE transfers SET next_attempt_at = now() - interval '1 second' WHERE order_id = $1 AND status = 'submitting'`, [order.id]);
    await drain(order.id);
    expect(Object.values(await countAtStripe(order.id))).toEqual([1, 1]);
    await expectBooksMatchStripe(t);
  });

  it('a key older than 23 h is never re-sent blindly: looked up (found: recorded), else sent under a new key generation', async () => {
    const order = await cart();
    await leftInSubmitting(order.id, { sentAgo: '24 hours', lease: '-1 second' });
    t.sandbox.control.setWebhookFaults({ outage: true });
    try {
      const made = await sentAtStripe(order.id);
      const rows = await drain(order.id);
      const found = rows.find((r) => r.id === made.id)!;
      const other = rows.find((r) => r.id !== made.id)!;
      expect(found).toMatchObject({ status: 'succeeded', keyGeneration: 0, attempts: 1 }); // found, nothing sent
      expect(other).toMatchObject({ status: 'succeeded', keyGeneration: 1, attempts: 2 }); // absent: a new key
      const [key] = await sql.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM transfers WHERE id = $1`, [other.id]);
      expect(key!.idempotency_key).toBe(`transfer:${other.id}:1`);
      expect(Object.values(await countAtStripe(order.id))).toEqual([1, 1]);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await expectBooksMatchStripe(t);
  });
});

describe('refusals, admin actions and inactive sellers', () => {
  it("Stripe refuses for good -> failed with Stripe's code; an admin retry under a new key succeeds", async () => {
    const order = await cart();
    t.sandbox.control.setWebhookFaults({ outage: true }); // our books still think B can receive transfers
    await setTransfersCapability(b, false);
    const rows = await drain(order.id, (rs) => rs.every((r) => r.status === 'succeeded' || r.status === 'failed'));
    const refused = rows.find((r) => r.sellerId === b.id)!;
    expect(refused).toMatchObject({ status: 'failed', failureCode: 'insufficient_capabilities_for_transfer', stripeTransferId: null });
    expect((await adminTransfers(t, { status: 'failed' })).map((r) => r.id)).toContain(refused.id);
    // a wrong-state action is refused with a code
    const succeeded = rows.find((r) => r.sellerId === a.id)!;
    expect((await t.http.post(`/admin/transfers/${succeeded.id}/retry`).set(bearer(t.adminKey)).expect(409)).body.error.code).toBe('TRANSFERS.NOT_RETRYABLE');
    expect((await t.http.post(`/admin/transfers/${succeeded.id}/cancel`).set(bearer(t.adminKey)).expect(409)).body.error.code).toBe('TRANSFERS.NOT_CANCELABLE');
    expect((await t.http.post(`/admin/transfers/${refused.id}/retry`).set(bearer(b.key))).status).toBe(403);

    await setTransfersCapability(b, true);
    t.sandbox.control.releaseWebhooks();
    await waitFor(async () => ((await sellerStatus(b)) === 'active' ? true : undefined), 15_000, 'seller B active again');
    const retried = (await t.http.post(`/admin/transfers/${refused.id}/retry`).set(bearer(t.adminKey)).expect(200)).body;
    expect(retried).toMatchObject({ status: 'pending', keyGeneration: 1, failureCode: null });
    // idempotent: a second retry answers the pending row, no new generation
    expect((await t.http.post(`/admin/transfers/${refused.id}/retry`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ status: 'pending', keyGeneration: 1 });
    const done = await drain(order.id);
    expect(done.find((r) => r.id === refused.id)).toMatchObject({ status: 'succeeded', keyGeneration: 1 });
    expect(Object.values(await countAtStripe(order.id))).toEqual([1, 1]);
    await expectBooksMatchStripe(t);
  });

  it("an admin cancels a failed transfer: nothing moves, the seller's share stays owed in the ledger", async () => {
    const order = await cart();
    t.sandbox.control.setWebhookFaults({ outage: true });
    await setTransfersCapability(b, false);
    try {
      const rows = await drain(order.id, (rs) => rs.every((r) => r.status === 'succeeded' || r.status === 'failed'));
      const refused = rows.find((r) => r.sellerId === b.id)!;
      expect(refused.status).toBe('failed');
      const canceled = (await t.http.post(`/admin/transfers/${refused.id}/cancel`).set(bearer(t.adminKey)).expect(200)).body;
      expect(canceled).toMatchObject({ status: 'canceled' });
      expect((await t.http.post(`/admin/transfers/${refused.id}/cancel`).set(bearer(t.adminKey)).expect(200)).body.status).toBe('canceled');
      expect((await t.http.post(`/admin/transfers/${refused.id}/retry`).set(bearer(t.adminKey)).expect(409)).body.error.code).toBe('TRANSFERS.NOT_RETRYABLE');
      const entries = await ledgerEntries(t, order.id);
      expect(sumLines(entries, 'seller_payable_pending', b.id)).toBe(-BigInt(refused.share));
      expect((await t.http.get('/sellers/me/transfers?status=canceled').set(bearer(b.key)).expect(200)).body.data.map((x: TransferJson) => x.id)).toEqual([refused.id]);
    } finally {
      await setTransfersCapability(b, true);
      t.sandbox.control.releaseWebhooks();
    }
    await waitFor(async () => ((await sellerStatus(b)) === 'active' ? true : undefined), 15_000, 'seller B active again');
    await expectBooksMatchStripe(t);
  });

  it('a seller who is not active when the transfer is due is not transferred to: the row waits with the reason, and goes once they are', async () => {
    const order = await cart();
    await setTransfersCapability(b, false);
    await waitFor(async () => ((await sellerStatus(b)) !== 'active' ? true : undefined), 15_000, 'seller B not active');
    const rows = await drain(order.id, (rs) => rs.some((r) => r.sellerId === b.id && r.waitingReason));
    const waiting = rows.find((r) => r.sellerId === b.id)!;
    expect(waiting).toMatchObject({ status: 'pending', stripeTransferId: null, attempts: 0 });
    expect(waiting.waitingReason).toContain('transfers capability');
    expect(Object.keys(await countAtStripe(order.id))).not.toContain(waiting.id);

    await setTransfersCapability(b, true);
    await waitFor(async () => ((await sellerStatus(b)) === 'active' ? true : undefined), 15_000, 'seller B active again');
    const done = await drain(order.id);
    expect(done.find((r) => r.id === waiting.id)).toMatchObject({ status: 'succeeded', waitingReason: null });
    await expectBooksMatchStripe(t);
  });
});
