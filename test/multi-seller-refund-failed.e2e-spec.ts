// A refund of a multi-seller order that Stripe fails after it succeeded (the card was closed: a
// refund_failure balance transaction credits the platform): each seller gets back exactly what that
// refund took from them (a lowering back to their unsent transfer, a reversal Stripe made by a
// return transfer, a debt canceled), the platform's loss on it is undone, and the books still match
// Stripe. Real app, real PostgreSQL, the Stripe sandbox; the transfers and payments workers are
// driven by the test.
import { randomUUID } from 'node:crypto';
import { StripeGateway } from '@app/stripe';
import { DataSource } from 'typeorm';
import { RefundSettlementService } from '../apps/marketplace/src/payments/refunds/refund-settlement.service.js';
import { RefundFailureReturnService } from '../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, failRefundAtStripe, fundsAvailable as fundsAvailableAt, manualPayoutShop as manualPayoutShopOf } from './support/reversals.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  // every worker round here is the test's
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t?.sandbox.control.clearFaults());

const drain = () => drainTransferWorkers(t);
const fundsAvailable = () => fundsAvailableAt(t);
const manualPayoutShop = () => manualPayoutShopOf(t);

const refund = (orderId: string, body: object, key = randomUUID()) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

const failAtStripe = (orderId: string, refundId: string, stripeRefundId: string) => failRefundAtStripe(t, orderId, refundId, stripeRefundId);

// biome-ignore lint/suspicious/noExplicitAny: the order's JSON
const bySeller = (xs: Array<Record<string, any>>, sellerId: string) => xs.filter((x) => x.sellerId === sellerId);
const returnTransfersAtStripe = async (orderId: string) => (await stripeTransfersOf(t, orderId)).filter((x) => x.metadata.reason === 'refund_failed');
const payableOf = (entries: Awaited<ReturnType<typeof ledgerEntries>>, sellerId: string) =>
  sumLines(entries, 'seller_payable_available', sellerId) + sumLines(entries, 'seller_payable_pending', sellerId);

describe('a refund of a two-seller order (A 1000: share 900, B 3000: share 2700) failed at Stripe after it succeeded', () => {
  it('both reversals made: each seller gets exactly their reversed part back by a transfer, payables restored, refund_losses back to zero; refundable again', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await fundsAvailable();
    const made = await refund(order.id, { amount: '1000' }).expect(201);
    await fundsAvailable();
    let now = await getOrder(t, order.id);
    expect(bySeller(now.transferReversals, shop.a.id)).toEqual([expect.objectContaining({ kind: 'reversal', status: 'succeeded', amount: '225' })]);
    expect(bySeller(now.transferReversals, shop.b.id)).toEqual([expect.objectContaining({ kind: 'reversal', status: 'succeeded', amount: '675' })]);

    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    now = await getOrder(t, order.id);
    expect(now).toMatchObject({ status: 'paid', amountRefunded: '0' });
    await drain();

    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
      [
        [shop.a.account, 225],
        [shop.b.account, 675],
      ].sort(),
    );
    for (const x of returned) {
      expect(x.source_transaction ?? null).toBeNull();
      expect(x.metadata).toMatchObject({ refund_id: made.body.id, order_id: order.id, reason: 'refund_failed' });
    }
    const aReturn = returned.find((x) => x.destination === shop.a.account)!;
    expect(aReturn.metadata.seller_id).toBe(shop.a.id);
    now = await getOrder(t, order.id);
    const rows = now.transfers.filter((x: { kind: string }) => x.kind === 'refund_return');
    expect(rows.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);
    expect(now.refunds[0]).toMatchObject({ status: 'failed', failureReturn: expect.objectContaining({ status: 'returned' }) });

    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    expect(payableOf(entries, shop.a.id)).toBe(-900n);
    expect(payableOf(entries, shop.b.id)).toBe(-2700n);
    const failure = entries.find((e) => e.idempotencyKey === `refund-failed:${made.body.stripeRefundId}`)!;
    const failureTxn = (await t.stripe.refunds.retrieve(made.body.stripeRefundId)).failure_balance_transaction as string;
    expect(failure.lines.find((l) => l.account.startsWith('platform_cash'))).toMatchObject({ amount: '1000', stripeBalanceTransactionId: failureTxn });
    await expectBooksMatchStripe(t, { advanceSeconds: 0 });

    // refundable again: the failed refund's parts no longer count as taken
    const again = await refund(order.id, { amount: '1000' }).expect(201);
    expect(again.body.status).toBe('succeeded');
    await fundsAvailable();
    const parts = (await getOrder(t, order.id)).transferReversals.filter((r: { refundId: string }) => r.refundId === again.body.id);
    expect(parts.map((r: { amount: string; status: string }) => [r.amount, r.status]).sort()).toEqual([
      ['225', 'succeeded'],
      ['675', 'succeeded'],
    ]);
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(100n);
    await expectBooksMatchStripe(t);
  });

  it('a refund before the transfers were sent (lowerings), then failed: the transfers go out at their full original amounts, nothing extra', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    const made = await refund(order.id, { amount: '1000' }).expect(201);
    let now = await getOrder(t, order.id);
    expect(now.transfers.map((x: { amount: string }) => x.amount).sort()).toEqual(['2025', '675']);
    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    // the failure gives the lowerings back before any transfer is sent
    await t.app.get(RefundFailureReturnService).runOnce();
    now = await getOrder(t, order.id);
    expect(now.transfers.map((x: { amount: string; status: string }) => [x.amount, x.status]).sort()).toEqual([
      ['2700', 'pending'],
      ['900', 'pending'],
    ]);
    const [stored]: Array<{ amounts: string[] }> = await t.app
      .get(DataSource)
      .query(`SELECT array_agg(stripe_params->>'amount' ORDER BY amount) AS amounts FROM transfers WHERE order_id = $1`, [order.id]);
    expect(stored!.amounts).toEqual(['900', '2700']);
    await drain();
    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe.map((x) => x.amount).sort((x, y) => x - y)).toEqual([900, 2700]);
    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    expect(payableOf(entries, shop.a.id)).toBe(-900n);
    expect(payableOf(entries, shop.b.id)).toBe(-2700n);
    await expectBooksMatchStripe(t);
  });

  it('a full refund canceling a transfer at 0, then failed: the canceled transfer is pending again and sent in full', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    const made = await refund(order.id, { full: true }).expect(201);
    expect((await getOrder(t, order.id)).transfers.map((x: { status: string }) => x.status)).toEqual(['canceled', 'canceled']);
    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    await drain();
    expect((await stripeTransfersOf(t, order.id)).map((x) => x.amount).sort((x, y) => x - y)).toEqual([900, 2700]);
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(0n);
    await expectBooksMatchStripe(t);
  });

  it("one seller's part became a debt (paid out first), then the refund fails: the debt is canceled, nothing returned to that seller; the other's reversal comes back", async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await expectBooksMatchStripe(t);
    const available = (await t.stripe.balance.retrieve({}, { stripeAccount: shop.a.account })).available.find((b) => b.currency === 'usd')!.amount;
    await t.stripe.payouts.create({ amount: available, currency: 'usd' }, { stripeAccount: shop.a.account });
    const made = await refund(order.id, { amount: '4000' }).expect(201);
    await drain();
    let now = await getOrder(t, order.id);
    expect(bySeller(now.transferReversals, shop.a.id)).toEqual([expect.objectContaining({ status: 'debt', amount: '900' })]);
    expect(bySeller(now.transferReversals, shop.b.id)).toEqual([expect.objectContaining({ status: 'succeeded', amount: '2700' })]);

    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    await drain();
    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => [x.destination, x.amount])).toEqual([[shop.b.account, 2700]]);
    const debts = (await t.http.get('/admin/seller-debts').query({ sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data;
    expect(debts).toEqual([expect.objectContaining({ amount: '900', recovered: '0', canceled: '900', outstanding: '0' })]);
    expect((await t.http.get('/admin/seller-debts').query({ open: 'true', sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data).toEqual([]);
    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'seller_debts', shop.a.id)).toBe(0n);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    expect(payableOf(entries, shop.b.id)).toBe(-2700n);
    now = await getOrder(t, order.id);
    expect(now).toMatchObject({ status: 'paid', amountRefunded: '0' });

    // A's next transfer is not netted: the debt is gone
    const next = await shop.cart();
    await drain();
    expect((await stripeTransfersOf(t, next.id)).map((x) => x.amount).sort((x, y) => x - y)).toEqual([900, 2700]);
    await expectBooksMatchStripe(t);
  });

  it("a debt from the refund already netted from the seller's next transfer: the netted part comes back by the return transfer", async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await expectBooksMatchStripe(t);
    const available = (await t.stripe.balance.retrieve({}, { stripeAccount: shop.a.account })).available.find((b) => b.currency === 'usd')!.amount;
    await t.stripe.payouts.create({ amount: available, currency: 'usd' }, { stripeAccount: shop.a.account });
    const made = await refund(order.id, { amount: '4000' }).expect(201);
    await drain();
    // the next order nets A's debt (900) from A's transfer: nothing sent to A for it
    const next = await shop.cart();
    await drain();
    expect((await stripeTransfersOf(t, next.id)).map((x) => x.amount)).toEqual([2700]);
    await expectBooksMatchStripe(t);

    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    await drain();
    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
      [
        [shop.a.account, 900],
        [shop.b.account, 2700],
      ].sort(),
    );
    const debts = (await t.http.get('/admin/seller-debts').query({ sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data;
    expect(debts).toEqual([expect.objectContaining({ amount: '900', recovered: '900', canceled: '0', outstanding: '0' })]);
    const entries = [...(await ledgerEntries(t, order.id)), ...(await ledgerEntries(t, next.id))];
    expect(sumLines(entries, 'seller_debts', shop.a.id)).toBe(0n);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    // A is owed both orders' shares in full again (the second one's netted part came back)
    expect(payableOf(entries, shop.a.id)).toBe(-1800n);
    await expectBooksMatchStripe(t);
  });

  it('the failure events delivered twice and shuffled: each seller is given back once', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await fundsAvailable();
    const made = await refund(order.id, { amount: '2000' }).expect(201);
    await fundsAvailable();
    t.sandbox.control.setWebhookFaults({ duplicate: 2, shuffle: true });
    try {
      await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    } finally {
      t.sandbox.control.setWebhookFaults({ duplicate: 1 });
    }
    await drain();
    await drain();
    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => x.amount).sort((x, y) => x - y)).toEqual([450, 1350]);
    const entries = await ledgerEntries(t, order.id);
    expect(entries.filter((e) => e.kind === 'refund_failed')).toHaveLength(2);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    await expectBooksMatchStripe(t);
  });

  it("a return transfer's answer lost: looked up at Stripe, made once", async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await fundsAvailable();
    const made = await refund(order.id, { amount: '1000' }).expect(201);
    await fundsAvailable();
    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    const fault = await fetch(`${t.sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 1 }),
    });
    expect(fault.status).toBe(200);
    await t.app.get(RefundFailureReturnService).runOnce();
    await t.app.get(TransferSubmissionService).runOnce(); // the answer is lost: retried later
    await t.app.get(DataSource).query(`UPDATE transfers SET next_attempt_at = now() WHERE order_id = $1 AND kind = 'refund_return'`, [order.id]);
    await drain();
    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => x.amount).sort((x, y) => x - y)).toEqual([225, 675]);
    const rows = (await getOrder(t, order.id)).transfers.filter((x: { kind: string }) => x.kind === 'refund_return');
    expect(rows.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);
    await expectBooksMatchStripe(t);
  });

  it("reversals not sent yet (waiting for the sellers' funds) are canceled: nothing reversed, nothing returned", async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    const made = await refund(order.id, { amount: '1000' }).expect(201);
    await drain(); // the sellers' funds are still pending: each reversal waits (a new key generation, never sent under it)
    expect((await getOrder(t, order.id)).transferReversals.map((r: { status: string }) => r.status)).toEqual(['pending', 'pending']);
    await failAtStripe(order.id, made.body.id, made.body.stripeRefundId);
    await fundsAvailable();
    const now = await getOrder(t, order.id);
    expect(now.transferReversals.map((r: { status: string }) => r.status)).toEqual(['canceled', 'canceled']);
    for (const x of now.transfers) expect((await t.stripe.transfers.listReversals(x.stripeTransferId)).data).toEqual([]);
    expect(await returnTransfersAtStripe(order.id)).toEqual([]);
    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'refund_losses')).toBe(0n);
    expect(payableOf(entries, shop.a.id)).toBe(-900n);
    await expectBooksMatchStripe(t);
  });

  it('a reversal in flight when the refund fails (its answer lost): the return waits, the worker finds it at Stripe and books it, then the seller gets it back', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await fundsAvailable();
    const aTransfer = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
    // no webhook tells us of the reversal, and the worker's answers from Stripe are lost
    t.sandbox.control.setWebhookFaults({ outage: true });
    let made: { body: { id: string; stripeRefundId: string } };
    try {
      const fault = await fetch(`${t.sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'POST', path: `/v1/transfers/${aTransfer.stripeTransferId}/reversals`, kind: 'lose_response', count: 20 }),
      });
      expect(fault.status).toBe(200);
      made = await refund(order.id, { amount: '1000' }).expect(201);
      await t.app.get(TransferReversalSubmissionService).runOnce();
      const aPart = (await getOrder(t, order.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id);
      expect(aPart.status).not.toBe('succeeded');
      expect((await t.stripe.transfers.listReversals(aTransfer.stripeTransferId)).data.map((r) => r.amount)).toEqual([225]);
      t.sandbox.control.clearFaults();
      // Stripe fails the refund; we learn it (the recovery worker's read) while the reversal is in flight
      const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(200);
      const snapshot = await t.app.get(StripeGateway).retrieveRefund(made.body.stripeRefundId);
      await t.app.get(DataSource).transaction((tx) => t.app.get(RefundSettlementService).undoFailed(tx, made.body.id, snapshot));
      const during = await getOrder(t, order.id);
      expect(during.transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id).status).toMatch(/^(pending|submitting)$/);
      // the return waits for it: nothing is given back yet
      await t.app.get(RefundFailureReturnService).runOnce();
      expect(await returnTransfersAtStripe(order.id)).toEqual([]);
      expect((await getOrder(t, order.id)).refunds[0].failureReturn).toMatchObject({ status: 'pending' });
    } finally {
      t.sandbox.control.setWebhookFaults({ outage: false });
      t.sandbox.control.releaseWebhooks();
    }
    await t.sandbox.control.webhooksIdle();
    await t.app.get(DataSource).query(`UPDATE transfer_reversals SET next_attempt_at = now() WHERE order_id = $1`, [order.id]);
    // settled by the reversal worker's look-up or by the transfer.reversed webhook, whichever is first; either makes the return due
    await waitFor(
      async () => {
        await drain();
        return (await returnTransfersAtStripe(order.id)).length === 2 ? true : undefined;
      },
      20_000,
      'both sellers given back',
    );
    const now = await getOrder(t, order.id);
    expect(now.transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id)).toMatchObject({ status: 'succeeded', amount: '225' });
    expect((await t.stripe.transfers.listReversals(aTransfer.stripeTransferId)).data.map((r) => r.amount)).toEqual([225]);
    const returned = await returnTransfersAtStripe(order.id);
    expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
      [
        [shop.a.account, 225],
        [shop.b.account, 675],
      ].sort(),
    );
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(0n);
    await expectBooksMatchStripe(t);
  });
});
