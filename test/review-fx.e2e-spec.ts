// Review (adversarial): multi-currency. The sandbox platform settles in USD; the orders are in EUR.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, ledgerEntries, paidOrder, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { sqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let seller: ActiveSeller;
let other: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  seller = await createActiveSeller(t);
  other = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>, key: string = randomUUID()) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

describe('review: a EUR order on a USD-settling platform', () => {
  it('a multi-seller EUR cart is paid and booked (charge txn in USD, shares in EUR must not make the entry unbalanced)', async () => {
    const a = await createListing(t, seller, { unitAmount: 1_000, currency: 'EUR', title: 'Mug' });
    const b = await createListing(t, other, { unitAmount: 3_000, currency: 'EUR', title: 'Lamp' });
    const res = await checkout(t, buyer, [
      { listingId: a, quantity: 1 },
      { listingId: b, quantity: 1 },
    ]);
    expect(res.status).toBe(201);
    expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
    // paidSeparateChargeLines books cash in the txn currency (USD) and payables/fees in order.currency (EUR):
    // LEDGER.UNBALANCED, the payment webhook rolls back and retries until it is dead; the order never becomes paid
    const paid = await waitForOrder(t, res.body.orderId, (o) => o.status === 'paid', 'multi-seller EUR order paid').catch(async (error: Error) => {
      const sql = sqlClient(t.databaseUrl);
      const failing = await sql.query(`SELECT type, attempts, last_error FROM webhook_events WHERE last_error IS NOT NULL AND type IN ('checkout.session.completed', 'payment_intent.succeeded')`);
      await sql.end();
      throw new Error(`${error.message}\nfailing payment events: ${JSON.stringify(failing)}`);
    });
    const entries = await ledgerEntries(t, paid.id);
    expect(entries.map((e) => e.kind)).toContain('charge');
    await expectBooksMatchStripe(t);
  });

  it('a EUR refund that fails after success: the seller gets back what they bore, in the currency Stripe took it in', async () => {
    const listing = await createListing(t, seller, { unitAmount: 10_000, currency: 'EUR' });
    const order = await paidOrder(t, buyer, listing);
    const made = await refund(order.id, { amount: 4_000 }).expect(201);
    await waitForOrder(t, order.id, (o) => o.status === 'partially_refunded', 'refund settled');
    const re = made.body.stripeRefundId as string;
    t.sandbox.control.advance(3 * 86_400);
    const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${re}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    const returned = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status && o.refunds[0].failureReturn.status !== 'pending', 'failure return worked');
    // Stripe's reversal took USD from the seller (txn nets are USD): refund.failureReturnAmount is USD minor
    // units, but RefundFailureReturnService transfers it with currency = refund.currency (EUR)
    const transfers = (await t.stripe.transfers.list({ transfer_group: order.id, limit: 100 })).data.filter((tr) => tr.metadata?.refund_id === made.body.id);
    expect(returned.refunds[0].failureReturn.status).toBe('returned');
    expect(transfers).toHaveLength(1);
    const reversal = (await t.stripe.refunds.retrieve(re, { expand: ['transfer_reversal.balance_transaction'] })) as unknown as { transfer_reversal: { balance_transaction: { currency: string } } };
    expect(transfers[0]!.currency).toBe(reversal.transfer_reversal.balance_transaction.currency);
    await expectBooksMatchStripe(t);
  });

  it("a EUR dispute won: the recovery reverses the seller's whole (USD) transfer and the return transfer goes through", async () => {
    const listing = await createListing(t, seller, { unitAmount: 8_000, currency: 'EUR' });
    const paid = await paidOrder(t, buyer, listing, 1, '4000000000000259');
    const order = await waitForOrder(t, paid.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus !== 'pending' && o.disputes[0]?.recoveryStatus !== 'none', 'dispute recovered');
    const dispute = order.disputes[0];
    const charge = await t.stripe.charges.retrieve(order.chargeId, { expand: ['transfer'] });
    const transfer = charge.transfer as { amount: number; amount_reversed: number; currency: string };
    const res = await fetch(`${t.sandbox.url}/_sandbox/disputes/${dispute.stripeDisputeId}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'won' }),
    });
    expect(res.status).toBe(200);
    const won = await waitForOrder(t, order.id, (o) => o.disputes[0].closedAt && o.disputes[0].recoveryStatus !== 'returning', 'recovery returned or failed');
    // DisputeRecoveryService.recover reverses dispute.amount (EUR minor units) off a USD transfer, and
    // giveBack transfers recoveredAmount with currency = dispute.currency (EUR) and source_transaction = the
    // USD-settled charge: Stripe refuses, the recovery ends `failed` and the seller never gets it back
    expect({ reversed: transfer.amount_reversed, status: won.disputes[0].recoveryStatus, error: won.disputes[0].recoveryError ?? null }).toEqual({
      reversed: transfer.amount,
      status: 'returned',
      error: null,
    });
    await expectBooksMatchStripe(t);
  });
});
