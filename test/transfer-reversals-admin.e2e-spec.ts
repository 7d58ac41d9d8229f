// An admin's actions on a refund's transfer reversal Stripe refused for good (`failed`): listed on
// GET /admin/transfer-reversals, retried under a new key, or canceled (nothing moves: the platform
// bears the seller's part; who canceled it is recorded). Real app, real PostgreSQL, the sandbox.
import { randomUUID } from 'node:crypto';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, fundsAvailable, manualPayoutShop, stripeTransfersOf } from './support/transfers.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t?.sandbox.control.clearFaults());

const admin = (method: 'get' | 'post', path: string) => t.http[method](path).set(bearer(t.adminKey));

/**
 * A's reversal of a 1000 refund (225) refused for good: a Dashboard reversal of A's whole transfer
 * lands while our call is on its way (a reversal capped before it is sent never asks more than is
 * left; this one was sent first).
 */
async function failedReversalOfA(shop: Awaited<ReturnType<typeof manualPayoutShop>>) {
  const order = await shop.cart();
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  const aTransfer = (await stripeTransfersOf(t, order.id)).find((x) => x.destination === shop.a.account)!;
  t.sandbox.control.addFault({ method: 'POST', path: `/v1/transfers/${aTransfer.id}/reversals`, kind: 'latency', latencyMs: 4_000, count: 1 });
  const refund = await admin('post', `/orders/${order.id}/refunds`).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
  const worker = t.app.get(TransferReversalSubmissionService).runOnce();
  const aStatus = async () => (await getOrder(t, order.id)).transferReversals.find((r: { refundId: string; sellerId: string }) => r.refundId === refund.body.id && r.sellerId === shop.a.id)?.status;
  await waitFor(async () => ((await aStatus()) === 'submitting' ? true : undefined), 10_000, "A's reversal sent");
  await t.stripe.transfers.createReversal(aTransfer.id);
  await worker;
  await fundsAvailable(t);
  return order;
}

describe('a transfer reversal Stripe refused for good (the transfer was reversed in full from the Dashboard while our call was on its way)', () => {
  it("is listed as failed, retried under a new key (nothing left: the part is the seller's debt), or canceled by the admin; other statuses are refused with a code", async () => {
    const shop = await manualPayoutShop(t);
    const order = await failedReversalOfA(shop);

    const failed = (await admin('get', '/admin/transfer-reversals').query({ status: 'failed' }).expect(200)).body;
    expect(failed.data).toEqual([expect.objectContaining({ sellerId: shop.a.id, status: 'failed', amount: '225', failureCode: expect.any(String) })]);
    const row = failed.data[0];
    const b = (await getOrder(t, order.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.b.id);
    expect(b).toMatchObject({ status: 'succeeded' });
    const mine = (await admin('get', '/admin/transfer-reversals').query({ sellerId: shop.b.id, limit: 1 }).expect(200)).body;
    expect(mine.data.map((r: { id: string }) => r.id)).toEqual([b.id]);

    // retry: a new attempt under a new key; capped at what is left of the transfer (nothing), the whole part is A's debt
    expect((await admin('post', `/admin/transfer-reversals/${row.id}/retry`).expect(200)).body).toMatchObject({ id: row.id, status: 'pending', failureCode: null });
    await drainTransferWorkers(t);
    expect((await getOrder(t, order.id)).transferReversals.find((r: { id: string }) => r.id === row.id)).toMatchObject({ status: 'debt' });

    // what cannot be retried or canceled
    expect((await admin('post', `/admin/transfer-reversals/${b.id}/retry`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_RETRYABLE' });
    expect((await admin('post', `/admin/transfer-reversals/${b.id}/cancel`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_CANCELABLE' });
    expect((await admin('post', `/admin/transfer-reversals/${row.id}/cancel`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_CANCELABLE' });
    expect((await admin('post', `/admin/transfer-reversals/${randomUUID()}/cancel`).expect(404)).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect((await admin('post', '/admin/transfer-reversals/not-a-uuid/retry').expect(404)).body.error).toMatchObject({ code: 'NOT_FOUND' });

    // another order's failed reversal of A, canceled: nothing moves, who canceled it is recorded; a repeat answers as it is
    const other = await failedReversalOfA(shop);
    const toCancel = (await getOrder(t, other.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id);
    expect(toCancel).toMatchObject({ status: 'failed' });
    await t.http.post(`/admin/transfer-reversals/${toCancel.id}/cancel`).set(bearer(shop.a.key)).expect(403);
    const canceled = (await admin('post', `/admin/transfer-reversals/${toCancel.id}/cancel`).expect(200)).body;
    expect(canceled).toMatchObject({ id: toCancel.id, status: 'canceled', canceledBy: expect.any(String) });
    expect((await admin('post', `/admin/transfer-reversals/${toCancel.id}/cancel`).expect(200)).body).toMatchObject({ status: 'canceled', canceledBy: canceled.canceledBy });
    expect((await admin('post', `/admin/transfer-reversals/${toCancel.id}/retry`).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.NOT_RETRYABLE' });
    await drainTransferWorkers(t);
    await expectBooksMatchStripe(t);
  });
});
