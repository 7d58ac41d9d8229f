// Review of 4eb983a: a refund Stripe answered `pending` (held) is settled by the recovery worker's
// read by its Stripe id when no webhook tells us how it ended: exactly as refund.updated would
// settle it (succeeded: booked; failed after the money left: booked, then undone with the seller's
// share returned), for single- and multi-seller orders, and the late webhooks change nothing.
import { DataSource } from 'typeorm';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, sumLines } from './support/checkout.js';
import { drainTransferWorkers, fundsAvailable, madeOrderFundsAvailable, manualPayoutShop, refundOrder, testAppForFile } from './support/transfers.js';

// every worker round here is the test's
const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });
afterEach(async () => {
  t.sandbox.control.clearFaults();
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
});

async function oneSellerOrder() {
  const listing = await createListing(t, await createActiveSeller(t), { unitAmount: 10_000 });
  return paidOrder(t, await createPrincipal(t, 'buyer'), listing);
}

/** A refund Stripe holds pending, with every webhook withheld: the answer we stored says pending. */
async function heldRefund(orderId: string, amount: string) {
  t.sandbox.control.setWebhookFaults({ outage: true });
  t.sandbox.control.holdRefunds(1);
  const res = await refundOrder(t, orderId, { amount }).expect(201);
  t.sandbox.control.holdRefunds(0);
  expect(res.body).toMatchObject({ status: 'pending', stripeRefundId: expect.stringMatching(/^re_/) });
  return res.body as { id: string; stripeRefundId: string };
}

/** The recovery worker's round, past the refund's grace. */
async function recover(refundId: string): Promise<void> {
  await t.app.get(DataSource).query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [refundId]);
  await t.app.get(RefundRecoveryService).runOnce();
}

const refundEntries = async (orderId: string) => (await ledgerEntries(t, orderId)).map((e) => e.idempotencyKey).filter((k) => k.startsWith('refund'));

/** The withheld webhooks arrive after all: the refund's books and the order do not move. */
async function lateWebhooksChangeNothing(orderId: string): Promise<void> {
  const before = await refundEntries(orderId);
  const order = await getOrder(t, orderId);
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  await drainTransferWorkers(t);
  expect(await refundEntries(orderId)).toEqual(before);
  expect(await getOrder(t, orderId)).toMatchObject({ status: order.status, amountRefunded: order.amountRefunded });
}

describe('a held refund settled by the recovery reading it by its Stripe id', () => {
  it('single seller, Stripe fails it after the money left: booked and undone, the seller share returned, order paid again', async () => {
    const order = await oneSellerOrder();
    const held = await heldRefund(order.id, '4000');
    t.sandbox.control.failRefund(held.stripeRefundId);
    await recover(held.id);
    const now = await getOrder(t, order.id);
    expect(now).toMatchObject({ status: 'paid', amountRefunded: '0' });
    expect(now.refunds[0]).toMatchObject({ id: held.id, status: 'failed', failureReturn: expect.objectContaining({ status: 'pending', amount: '3600' }) });
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed']);
    await lateWebhooksChangeNothing(order.id);
    await fundsAvailable(t);
    expect((await getOrder(t, order.id)).refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600' });
    await expectBooksMatchStripe(t);
  });

  it('the withheld webhooks and the recovery settling it at the same moment: booked once', async () => {
    const order = await oneSellerOrder();
    const held = await heldRefund(order.id, '2500');
    t.sandbox.control.succeedRefund(held.stripeRefundId);
    await t.app.get(DataSource).query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [held.id]);
    t.sandbox.control.releaseWebhooks();
    await Promise.all([t.app.get(RefundRecoveryService).runOnce(), t.sandbox.control.webhooksIdle()]);
    await t.sandbox.control.webhooksIdle();
    expect(await getOrder(t, order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: '2500' });
    expect(await refundEntries(order.id)).toEqual([`refund:${held.stripeRefundId}`]);
    await expectBooksMatchStripe(t);
  });

  it("the webhooks overtaking the request's own settling (its charge read is slow): settled once, by whoever is first", async () => {
    const order = await oneSellerOrder();
    t.sandbox.control.holdRefunds(1);
    // the request's read of the charge after Stripe answered is the first; the webhook handler's reads are not slowed
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/charges/*', kind: 'latency', latencyMs: 1500, count: 1 });
    const res = await refundOrder(t, order.id, { amount: '3000' }).expect(201);
    t.sandbox.control.holdRefunds(0);
    expect(res.body).toMatchObject({ status: 'pending', stripeRefundId: expect.stringMatching(/^re_/) });
    await t.sandbox.control.webhooksIdle();
    t.sandbox.control.succeedRefund(res.body.stripeRefundId);
    await t.sandbox.control.webhooksIdle();
    await recover(res.body.id);
    expect(await getOrder(t, order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: '3000' });
    expect(await refundEntries(order.id)).toEqual([`refund:${res.body.stripeRefundId}`]);
    await expectBooksMatchStripe(t);
  });

  it('two sellers, refunded before the transfers were sent, Stripe succeeds it: the lowered transfers go out, booked once', async () => {
    const shop = await manualPayoutShop(t);
    const order = await shop.cart();
    const held = await heldRefund(order.id, '1000');
    t.sandbox.control.succeedRefund(held.stripeRefundId);
    await recover(held.id);
    const now = await getOrder(t, order.id);
    expect(now).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect(now.refunds[0]).toMatchObject({ id: held.id, status: 'succeeded' });
    expect(now.transfers.map((x: { amount: string }) => x.amount).sort()).toEqual(['2025', '675']);
    await lateWebhooksChangeNothing(order.id);
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(100n);
    await fundsAvailable(t);
    await expectBooksMatchStripe(t);
  });

  it('two sellers, transfers made, Stripe fails it after the money left: the reversals are given back, no loss stays', async () => {
    const { order } = await madeOrderFundsAvailable(t);
    const held = await heldRefund(order.id, '1000');
    await drainTransferWorkers(t);
    t.sandbox.control.failRefund(held.stripeRefundId);
    await recover(held.id);
    let now = await getOrder(t, order.id);
    expect(now).toMatchObject({ status: 'paid', amountRefunded: '0' });
    expect(now.refunds[0]).toMatchObject({ id: held.id, status: 'failed' });
    await lateWebhooksChangeNothing(order.id);
    await fundsAvailable(t);
    now = await getOrder(t, order.id);
    expect(now.refunds[0].failureReturn).toMatchObject({ status: 'returned' });
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(0n);
    await expectBooksMatchStripe(t);
  });
});
