// An admin's actions on a refund's transfer reversal Stripe refused for good (`failed`): listed on
// GET /admin/transfer-reversals, retried under a new key, or canceled (nothing moves: the platform
// bears the seller's part; who canceled it is recorded). Real app, real PostgreSQL, the sandbox.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { drainTransferWorkers, fundsAvailable, manualPayoutShop, stripeTransfersOf } from './support/transfers.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' } });
});
afterAll(async () => {
  await t?.close();
});

const admin = (method: 'get' | 'post', path: string) => t.http[method](path).set(bearer(t.adminKey));

/**
 * A refund of a two-seller order whose reversal of seller A's transfer Stripe refuses for good: the
 * reversal is on its way (a sandbox latency fault holds it) when the whole transfer is reversed from
 * the Dashboard, so Stripe has nothing left to reverse when it arrives (what the cap read before
 * sending cannot see).
 */
async function refusedReversal(shop: Awaited<ReturnType<typeof manualPayoutShop>>) {
  const order = await shop.cart();
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  const aTransfer = (await stripeTransfersOf(t, order.id)).find((x) => x.destination === shop.a.account)!;
  t.sandbox.control.addFault({ method: 'POST', path: `/v1/transfers/${aTransfer.id}/reversals`, kind: 'latency', latencyMs: 3000, count: 1 });
  await admin('post', `/orders/${order.id}/refunds`).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
  const draining = drainTransferWorkers(t);
  await waitFor(
    async () => {
      const [r]: Array<{ status: string }> = await t.app
        .get(DataSource)
        .query(`SELECT status FROM transfer_reversals WHERE order_id = $1 AND seller_id = $2 AND kind = 'reversal'`, [order.id, shop.a.id]);
      return r?.status === 'submitting' ? true : undefined;
    },
    10_000,
    "A's reversal on its way",
  );
  await t.stripe.transfers.createReversal(aTransfer.id);
  await draining;
  await t.sandbox.control.webhooksIdle();
  await fundsAvailable(t);
  const failed = (await admin('get', '/admin/transfer-reversals').query({ status: 'failed', sellerId: shop.a.id }).expect(200)).body;
  const row = (await getOrder(t, order.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(failed.data.map((r: { id: string }) => r.id)).toEqual([row.id]);
  expect(row).toMatchObject({ sellerId: shop.a.id, status: 'failed', amount: '225', failureCode: expect.any(String) });
  return { order, row };
}

describe('a transfer reversal Stripe refused for good (the transfer was reversed in full from the Dashboard while it was on its way)', () => {
  it("is listed as failed; a retry under a new key finds nothing left and makes it the seller's debt", async () => {
    const shop = await manualPayoutShop(t);
    const { order, row } = await refusedReversal(shop);
    const b = (await getOrder(t, order.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.b.id);
    expect(b).toMatchObject({ status: 'succeeded' });
    const mine = (await admin('get', '/admin/transfer-reversals').query({ sellerId: shop.b.id, limit: 1 }).expect(200)).body;
    expect(mine.data.map((r: { id: string }) => r.id)).toEqual([b.id]);

    // retry: a new attempt under a new key; what Stripe says is left of the transfer (nothing) caps it: all debt
    expect((await admin('post', `/admin/transfer-reversals/${row.id}/retry`).expect(200)).body).toMatchObject({ id: row.id, status: 'pending', failureCode: null });
    await drainTransferWorkers(t);
    expect((await getOrder(t, order.id)).transferReversals.find((r: { id: string }) => r.id === row.id)).toMatchObject({ status: 'debt' });
    const debts = (await admin('get', '/admin/seller-debts').query({ sellerId: shop.a.id }).expect(200)).body.data;
    expect(debts).toEqual([expect.objectContaining({ amount: '225', orderId: order.id })]);

    // what cannot be retried or canceled
    expect((await admin('post', `/admin/transfer-reversals/${b.id}/retry`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_RETRYABLE' });
    expect((await admin('post', `/admin/transfer-reversals/${b.id}/cancel`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_CANCELABLE' });
    expect((await admin('post', `/admin/transfer-reversals/${randomUUID()}/cancel`).expect(404)).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await admin('post', '/admin/transfer-reversals/not-a-uuid/retry').expect(404)).body.error).toMatchObject({ code: 'NOT_FOUND' });
    await expectBooksMatchStripe(t);
  });

  it('is canceled by the admin: nothing moves, who canceled it is recorded, a repeat answers as it is', async () => {
    const shop = await manualPayoutShop(t);
    const { row } = await refusedReversal(shop);
    await t.http.post(`/admin/transfer-reversals/${row.id}/cancel`).set(bearer(shop.a.key)).expect(403);
    const canceled = (await admin('post', `/admin/transfer-reversals/${row.id}/cancel`).expect(200)).body;
    expect(canceled).toMatchObject({ id: row.id, status: 'canceled', canceledBy: expect.any(String) });
    expect((await admin('post', `/admin/transfer-reversals/${row.id}/cancel`).expect(200)).body).toMatchObject({ status: 'canceled', canceledBy: canceled.canceledBy });
    expect((await admin('post', `/admin/transfer-reversals/${row.id}/retry`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_RETRYABLE' });
    await drainTransferWorkers(t);
    await expectBooksMatchStripe(t);
  });
});
