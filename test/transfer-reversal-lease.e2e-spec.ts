// A reversal call slower than its worker's lease: worker A claims a seller's reversal and Stripe
// answers slowly; the lease runs out, the refund fails at Stripe, worker B finds no reversal at
// Stripe and cancels the row, the refund's return runs with nothing to give back; then A's call
// lands and Stripe makes the reversal. That reversal is booked as Stripe reports it and returned
// to the seller (the failed refund's return path): the books match Stripe, the seller is whole.
// The same for a transfer: one Stripe makes for a row an admin canceled meanwhile is recorded made.
// Real app, real PostgreSQL, the Stripe sandbox (its latency fault); the workers are the test's.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefundFailureReturnService } from '../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { connectedBalance, drainTransferWorkers, failRefundAtStripe, fundsAvailable, manualPayoutShop, transfersOnTheirWay } from './support/transfers.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  // a 1 s lease: the slow call outlives it; every worker round here is the test's
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000', TRANSFERS_CLAIM_LEASE_SECONDS: '1' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t?.sandbox.control.clearFaults());

const reversalRows = (refundId: string): Promise<Array<{ id: string; seller_id: string; status: string }>> =>
  t.app.get(DataSource).query(`SELECT id, seller_id, status FROM transfer_reversals WHERE refund_id = $1 ORDER BY created_at`, [refundId]);

const leaseRanOut = async (transferId: string): Promise<boolean> =>
  ((await t.app.get(DataSource).query(`SELECT next_attempt_at <= now() AS out FROM transfers WHERE id = $1`, [transferId])) as Array<{ out: boolean }>)[0]?.out === true;

describe('a transfer reversal whose Stripe call outlives the lease, its row canceled meanwhile', () => {
  it('the reversal Stripe made late is booked and returned to the seller: books match Stripe, each seller keeps their whole share', async () => {
    const shop = await manualPayoutShop(t);
    const order = await shop.cart();
    await drainTransferWorkers(t);
    await fundsAvailable(t);
    const before = { a: await connectedBalance(t, shop.a.account), b: await connectedBalance(t, shop.b.account) };
    expect(before).toEqual({ a: 900, b: 2700 });

    // the refund succeeds; its two reversals are due. The first reversal call sent is slow.
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'latency', latencyMs: 20_000, count: 1 });
    const refund = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
    const reversals = t.app.get(TransferReversalSubmissionService);
    const workerA = reversals.runOnce();
    await waitFor(async () => ((await reversalRows(refund.body.id)).some((r) => r.status === 'submitting') ? true : undefined), 10_000, 'worker A sending a reversal');

    await failRefundAtStripe(t, order.id, refund.body.id, refund.body.stripeRefundId);
    // worker B, once A's lease ran out: finds no reversal at Stripe, cancels both rows
    await waitFor(
      async () => {
        await reversals.runOnce();
        return (await reversalRows(refund.body.id)).every((r) => r.status === 'canceled') ? true : undefined;
      },
      15_000,
      "worker B canceling the failed refund's reversals",
    );
    await t.app.get(RefundFailureReturnService).runOnce();
    expect((await getOrder(t, order.id)).refunds[0].failureReturn).toMatchObject({ status: 'returned' });

    // A's call lands: Stripe made the reversal of a row we canceled
    await workerA;
    await t.sandbox.control.webhooksIdle();
    await drainTransferWorkers(t);

    const rows = await reversalRows(refund.body.id);
    const late = rows.find((r) => r.status === 'succeeded');
    expect(late).toBeDefined();
    expect(rows.filter((r) => r.status === 'canceled')).toHaveLength(1);
    const now = await getOrder(t, order.id);
    const returns = now.transfers.filter((x: { kind: string }) => x.kind === 'refund_return');
    expect(returns).toEqual([expect.objectContaining({ sellerId: late!.seller_id, status: 'succeeded', amount: late!.seller_id === shop.a.id ? '225' : '675' })]);
    await expectBooksMatchStripe(t);
    expect({ a: await connectedBalance(t, shop.a.account), b: await connectedBalance(t, shop.b.account) }).toEqual(before);
  });
});

describe('a transfer whose Stripe call outlives the lease, canceled by an admin meanwhile (the seller could not receive transfers in our books)', () => {
  it('the transfer Stripe made late is recorded made: the row succeeded, the books match Stripe', async () => {
    const shop = await manualPayoutShop(t);
    const { order, workerA, bRow, bActive } = await transfersOnTheirWay(t, shop, 20_000);
    try {
      // worker A's lease on it ran out (within it, a cancel is refused: the call may be on its way)
      await waitFor(async () => ((await leaseRanOut(bRow.id)) ? true : undefined), 10_000, "worker A's lease ran out");
      expect((await t.http.post(`/admin/transfers/${bRow.id}/cancel`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ status: 'canceled' });
      await workerA; // both calls land: Stripe made B's transfer for the canceled row
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await bActive(true);
    await fundsAvailable(t);
    const rows = (await getOrder(t, order.id)).transfers;
    expect(rows.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);
    expect(await connectedBalance(t, shop.b.account)).toBe(2700);
    await expectBooksMatchStripe(t);
  });
});
