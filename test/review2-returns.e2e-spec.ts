// Review 2 (adversarial): returns and recoveries racing refunds.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, payOnHostedPage, ledgerEntries, paidOrder, sumLines, waitForOrder } from './support/checkout.js';
import { inboxSettled } from './support/inbox.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { PLATFORM_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { deliver, signature } from './support/webhooks.js';

let t: TestApp;
let sql: SqlClient;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  sql = sqlClient(t.databaseUrl);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
afterEach(async () => {
  t.sandbox.control.clearFaults();
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
});

const refund = (orderId: string, body: Record<string, unknown>) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
const post = (path: string, body: unknown = {}) => fetch(`${t.sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function manualSeller(): Promise<ActiveSeller> {
  const s = await createActiveSeller(t);
  // funds stay on the seller's balance: what the seller holds is what Stripe holds
  await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  return s;
}

const sellerTotals = (entries: Awaited<ReturnType<typeof ledgerEntries>>, sellerId: string) => ({
  payable: -(sumLines(entries, 'seller_payable_available', sellerId) + sumLines(entries, 'seller_payable_pending', sellerId)),
  connectedCash: sumLines(entries, 'connected_cash_available', sellerId) + sumLines(entries, 'connected_cash_pending', sellerId),
});

describe('review 2: returns and recoveries racing refunds', () => {
  it("a full refund made while a failed refund's return still waits for funds (balance_insufficient) takes that return back too: the seller keeps nothing of a fully refunded order", async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const other = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000
    const first = (await refund(order.id, { amount: 4_000 }).expect(201)).body; // reversal 4 000, fee refund 400: the seller bears 3 600
    const o2 = await paidOrder(t, buyer, other);
    await refund(o2.id, { amount: 1_000 }).expect(201); // the platform's available balance is short
    expect((await post(`/_sandbox/refunds/${first.stripeRefundId}/fail`)).status).toBe(200);
    // the 3 600 return is refused for want of funds and waits (backoff)
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.errorCode === 'balance_insufficient', 'return waiting for funds');
    // meanwhile the buyer is refunded in full: the charge's transfer holds only 6 000 (Stripe kept the
    // failed refund's reversal), and the 3 600 the seller is about to get back is not reversed by anyone
    const full = (await refund(order.id, { full: true }).expect(201)).body;
    expect(full).toMatchObject({ status: 'succeeded', amount: '10000', transferReversalAmount: '6000' });
    // the platform gets funds (a two-seller cart is held on the platform, paid with funds available at once)
    const s2 = await createActiveSeller(t);
    const l2 = await createListing(t, s2, { unitAmount: 30_000 });
    const cart = await checkout(t, buyer, [
      { listingId: other, quantity: 3 },
      { listingId: l2, quantity: 1 },
    ]);
    expect(cart.status).toBe(201);
    expect(await payOnHostedPage(cart.body.checkoutUrl, '4000000000000077')).toBe(303);
    await waitForOrder(t, cart.body.orderId, (o) => o.status === 'paid', 'cart paid');
    t.sandbox.control.advance(3 * 86_400);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'failed refund share returned');
    await inboxSettled(t, sql);
    // let the payments worker take whatever it takes
    await new Promise((r) => setTimeout(r, 2_000));
    await expectBooksMatchStripe(t);
    const entries = await ledgerEntries(t, order.id);
    // a fully refunded order: as when the return came first (refunds.e2e-spec), the seller keeps nothing of it
    // and the platform loses only its fee; here the seller keeps 3 600 and the platform bears it
    expect({
      ...sellerTotals(entries, s.id),
      platformCost: sumLines(entries, 'refund_losses') + sumLines(entries, 'platform_fee_refunds'),
      returnReversal: (await waitForOrder(t, order.id, () => true, 'order')).refunds.find((r: { id: string }) => r.id === full.id)?.returnReversal?.status ?? null,
    }).toEqual({ payable: 0n, connectedCash: 0n, platformCost: 1_000n, returnReversal: 'reversed' });
  });

  it('a refund whose return-transfer reversal was made and that then fails at Stripe gives the seller back all it took, the return reversal too: nothing refunded, the seller keeps their 9 000', async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000: the seller nets 9 000
    t.sandbox.control.advance(3 * 86_400); // the charge's funds are available
    const first = (await refund(order.id, { amount: 4_000 }).expect(201)).body;
    expect((await post(`/_sandbox/refunds/${first.stripeRefundId}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'first refund failed and its 3 600 returned');
    // the whole order refunded: 6 000 from the charge's transfer, 3 600 from the return (REFUND_AFTER_RETURN)
    const full = (await refund(order.id, { full: true }).expect(201)).body;
    await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === full.id)?.returnReversal?.status === 'reversed', 'return reversed');
    // that refund fails at Stripe too (the card was closed): the buyer got nothing back in the end
    expect((await post(`/_sandbox/refunds/${full.stripeRefundId}/fail`)).status).toBe(200);
    const undone = await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === full.id)?.failureReturn?.status === 'returned', 'second refund failed and returned');
    expect(undone).toMatchObject({ status: 'paid', amountRefunded: '0' });
    await inboxSettled(t, sql);
    await expectBooksMatchStripe(t);
    const entries = await ledgerEntries(t, order.id);
    // no refund stands: the seller holds (and is owed) their 9 000; the platform kept its fee minus the
    // fee refunds Stripe kept (400 + 600 = 1 000: all of it), and gained nothing from the seller
    expect({ ...sellerTotals(entries, s.id), refundLosses: sumLines(entries, 'refund_losses') }).toEqual({ payable: 9_000n, connectedCash: 9_000n, refundLosses: 0n });
  });

  it("a full refund after two returns (a failed refund's and a won dispute's) takes the seller's whole share back, not only the larger return", async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000: the seller nets 9 000
    t.sandbox.control.advance(3 * 86_400);
    const first = (await refund(order.id, { amount: 4_000 }).expect(201)).body;
    expect((await post(`/_sandbox/refunds/${first.stripeRefundId}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'failed refund: 3 600 returned');
    // a chargeback of the whole 10 000: the recovery reverses what is left of the transfer (6 000, fee refund 600)
    expect((await post(`/_sandbox/charges/${order.chargeId}/dispute`, { amount: 10_000 })).status).toBe(200);
    const disputed = await waitForOrder(t, order.id, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'recovered');
    expect((await post(`/_sandbox/disputes/${disputed.disputes[0].stripeDisputeId}/close`, { outcome: 'won' })).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.status === 'paid' && o.disputes[0]?.recoveryStatus === 'returned', 'won: 5 400 returned');
    t.sandbox.control.advance(3 * 86_400);
    // the whole order refunded: the charge's transfer is fully reversed, the seller's 9 000 sit in two returns (3 600 + 5 400)
    const full = (await refund(order.id, { full: true }).expect(201)).body;
    await waitForOrder(t, order.id, (o) => ['reversed', 'failed', 'none'].includes(o.refunds.find((r: { id: string }) => r.id === full.id)?.returnReversal?.status), 'return reversal settled');
    await inboxSettled(t, sql);
    await expectBooksMatchStripe(t);
    const entries = await ledgerEntries(t, order.id);
    // a fully refunded order: the seller keeps nothing of it
    expect(sellerTotals(entries, s.id)).toEqual({ payable: 0n, connectedCash: 0n });
  });

  it('a dispute recovery books only its own application-fee refund, not that of a refund whose webhook is not worked yet: the refund keeps its fee refund and a won dispute returns all the seller lost', async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000
    // the Dashboard refund's webhooks are late (withheld); only the dispute's event reaches us
    t.sandbox.control.setWebhookFaults({ outage: true });
    let dash: Awaited<ReturnType<typeof t.stripe.refunds.create>>;
    let disputed: Awaited<ReturnType<typeof waitForOrder>>;
    try {
      // a Dashboard refund of 2 000 with its fee refund of 200 (reversal 2 000: the seller bears 1 800)
      dash = await t.stripe.refunds.create({ charge: order.chargeId, amount: 2_000, reverse_transfer: true, refund_application_fee: true });
      // then the buyer disputes 5 000: the recovery reverses 5 000 with a fee refund of 500 (the seller loses 4 500)
      const dp = await post(`/_sandbox/charges/${order.chargeId}/dispute`, { amount: 5_000 });
      expect(dp.status).toBe(200);
      const [created] = (await t.stripe.events.list({ type: 'charge.dispute.created', limit: 100 })).data.filter((e) => (e.data.object as { charge?: string }).charge === order.chargeId);
      const payload = JSON.stringify(created);
      await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
      disputed = await waitForOrder(t, order.id, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'dispute recovered');
    } finally {
      t.sandbox.control.setWebhookFaults({ outage: false });
      t.sandbox.control.releaseWebhooks();
    }
    // the charge.refunded event is worked now
    await waitFor(
      async () => {
        const refunds = await sql.query<{ id: string }>(`SELECT id FROM refunds WHERE stripe_refund_id = $1 AND status = 'succeeded'`, [dash!.id]);
        return refunds.length ? true : undefined;
      },
      20_000,
      'dashboard refund recorded',
    );
    const feeRefunds = await sql.query<{ refund: string; recovery: string }>(
      `SELECT (SELECT application_fee_refund::text FROM refunds WHERE stripe_refund_id = $1) AS refund,
              (SELECT recovery_fee_refund::text FROM disputes WHERE stripe_dispute_id = $2) AS recovery`,
      [dash!.id, disputed!.disputes[0].stripeDisputeId],
    );
    expect(feeRefunds[0]).toEqual({ refund: '200', recovery: '500' });
    // won: the seller gets back what they lost (5 000 reversed less the 500 fee refunded to them)
    expect((await post(`/_sandbox/disputes/${disputed!.disputes[0].stripeDisputeId}/close`, { outcome: 'won' })).status).toBe(200);
    const won = await waitForOrder(t, order.id, (o) => o.disputes[0]?.recoveryStatus === 'returned', 'recovery returned');
    const back = (await t.stripe.transfers.list({ destination: s.account, limit: 100 })).data.find((tr) => tr.metadata?.dispute_id === won.disputes[0].stripeDisputeId)!;
    expect(back.amount).toBe(4_500);
    await expectBooksMatchStripe(t);
    const totals = sellerTotals(await ledgerEntries(t, order.id), s.id);
    expect(totals.payable).toBe(totals.connectedCash);
  });
});

describe('review 2: a refund settling while a recovery is unrecorded', () => {
  it("a Dashboard refund (no fee refund) booked between a recovery's Stripe call and its recording does not take the recovery's fee refund", async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000
    // Stripe's refund listing hiccups: the refund's charge.refunded cannot be worked yet
    const listing500 = t.sandbox.control.addFault({ method: 'GET', path: '/v1/refunds', kind: 'error_500', count: 100_000 });
    // the recovery's reversal is made at Stripe but every answer is lost (a worker that dies before recording)
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'lose_response', count: 100_000 });
    // someone refunds 2 000 in the Dashboard, without refunding the application fee
    const dash = await t.stripe.refunds.create({ charge: order.chargeId, amount: 2_000, reverse_transfer: true });
    // the buyer disputes 5 000 at once: the recovery reverses 5 000 with refund_application_fee (fee refund 500)
    expect((await post(`/_sandbox/charges/${order.chargeId}/dispute`, { amount: 5_000 })).status).toBe(200);
    const transfer = (await t.stripe.charges.retrieve(order.chargeId)).transfer as string;
    await waitFor(async () => ((await t.stripe.transfers.listReversals(transfer)).data.some((r) => r.metadata?.dispute_id) ? true : undefined), 15_000, 'recovery reversal made at Stripe');
    const feeRefunds = (await t.stripe.applicationFees.listRefunds((await t.stripe.charges.retrieve(order.chargeId)).application_fee as string)).data;
    expect(feeRefunds.map((f) => f.amount)).toEqual([500]); // the recovery's, the only one Stripe made
    // the refund's event is worked now (replayed if the inbox gave up on it), while the recovery is still unrecorded
    t.sandbox.control.faults.remove(listing500.id);
    await waitFor(
      async () => {
        const rows = await sql.query<{ id: string; status: string }>(`SELECT id, status FROM webhook_events WHERE type = 'charge.refunded' AND payload->'data'->'object'->>'id' = $1`, [
          order.chargeId,
        ]);
        for (const r of rows.filter((x) => x.status === 'dead')) await t.http.post(`/admin/webhook-events/${r.id}/replay`).set(bearer(t.adminKey)).send();
        return (await sql.query(`SELECT 1 FROM refunds WHERE stripe_refund_id = $1 AND status = 'succeeded'`, [dash.id])).length ? true : undefined;
      },
      20_000,
      'dashboard refund recorded',
    );
    expect((await sql.query(`SELECT 1 FROM disputes WHERE order_id = $1 AND recovery_status = 'pending'`, [order.id])).length).toBe(1);
    t.sandbox.control.clearFaults(); // the recovery's retry gets Stripe's answer (same key, same reversal)
    const recovered = await waitFor(
      async () =>
        (
          await sql.query<{ fee: string; status: string }>(`SELECT recovery_fee_refund::text AS fee, recovery_status AS status FROM disputes WHERE order_id = $1 AND recovery_status = 'recovered'`, [
            order.id,
          ])
        )[0],
      60_000,
      'recovery recorded',
    );
    const dashRow = (await sql.query<{ fee: string }>(`SELECT application_fee_refund::text AS fee FROM refunds WHERE stripe_refund_id = $1`, [dash.id]))[0]!;
    expect({ refundFeeRefund: dashRow.fee, recoveryFeeRefund: recovered.fee }).toEqual({ refundFeeRefund: '0', recoveryFeeRefund: '500' });
    await expectBooksMatchStripe(t);
    const totals = sellerTotals(await ledgerEntries(t, order.id), s.id);
    expect(totals.payable).toBe(totals.connectedCash);
  }, 90_000);
});
