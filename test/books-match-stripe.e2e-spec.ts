// The ledger against Stripe's own balances: presentment in another currency than settlement,
// disputes that start as inquiries, automatic payouts, and the balance check catching a wrong booking.
import { Money } from '@app/money';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LedgerService } from '../apps/marketplace/src/ledger/ledger.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { balanceCheck, checkout, describeMismatches, expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, payOnHostedPage, sumLines, waitForOrder } from './support/checkout.js';
import { PLATFORM_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { deliver, signature } from './support/webhooks.js';

let t: TestApp;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

const control = (path: string, body: unknown = {}): Promise<{ id: string }> =>
  fetch(`${t.sandbox.url}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => {
    if (!r.ok) throw new Error(`${path} answered ${r.status}: ${await r.text()}`);
    return (await r.json()) as { id: string };
  });

describe('a EUR listing on a USD platform', () => {
  it('paid, partly refunded, disputed and won: Stripe amounts booked in USD as Stripe settled them; the books match Stripe', async () => {
    await control('/exchange_rates', { eur: { usd: '1.08' } });
    const listing = await createListing(t, seller, { unitAmount: 10_000, currency: 'EUR' });
    const order = await paidOrder(t, buyer, listing);
    expect(order).toMatchObject({ status: 'paid', currency: 'EUR', amountTotal: '10000', applicationFeeTotal: '1000' });

    // Stripe settled the EUR charge in USD: its fee, its net, the transfer and the fee are in USD
    const charge = await t.stripe.charges.retrieve(order.chargeId, { expand: ['balance_transaction'] });
    const txn = charge.balance_transaction as { currency: string; amount: number; fee: number; net: number; exchange_rate: number | null };
    expect(charge.currency).toBe('eur');
    expect(txn).toMatchObject({ currency: 'usd', amount: 10_800 });
    expect(txn.exchange_rate).not.toBeNull();
    const entries = await ledgerEntries(t, order.id);
    const chargeEntry = entries.find((e) => e.kind === 'charge')!;
    expect(new Set(chargeEntry.lines.map((l) => l.currency))).toEqual(new Set(['USD']));
    expect(sumLines([chargeEntry], 'stripe_processing_fees')).toBe(BigInt(txn.fee));

    // a partial refund (EUR 25.00) and a dispute that is won
    const refunded = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '2500' }).expect(201);
    expect(refunded.body).toMatchObject({ status: 'succeeded', amount: '2500' });
    const dispute = await control(`/charges/${order.chargeId}/dispute`, { reason: 'fraudulent', amount: 7_500 });
    await waitForOrder(t, order.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'disputed and recovered');
    await control(`/disputes/${dispute.id}/close`, { outcome: 'won' });
    await waitForOrder(t, order.id, (o) => o.disputes[0]?.status === 'won' && o.disputes[0]?.recoveryStatus === 'returned', 'won and returned');

    const all = await ledgerEntries(t, order.id);
    // every amount that came from Stripe is in the currency Stripe reports it in (the settlement currency)
    expect(new Set(all.flatMap((e) => e.lines).map((l) => l.currency))).toEqual(new Set(['USD']));
    expect(all.filter((e) => e.kind === 'dispute_withdrawal' || e.kind === 'dispute_won')).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });
});

describe('inquiries', () => {
  it('an inquiry that escalates and is won before we read it again: the withdrawal and the reinstatement are booked, the order is paid again', async () => {
    const s = await createActiveSeller(t);
    const listing = await createListing(t, s, { unitAmount: 6_000 });
    const order = await paidOrder(t, buyer, listing);
    // hold the deliveries: our first read of the dispute comes after it escalated and closed
    t.sandbox.control.setWebhookFaults({ outage: true });
    let dp: string;
    try {
      dp = (await control(`/charges/${order.chargeId}/inquiry`, { reason: 'general' })).id;
      await control(`/disputes/${dp}/escalate`);
      await control(`/disputes/${dp}/close`, { outcome: 'won' });
    } finally {
      t.sandbox.control.setWebhookFaults({ outage: false });
      t.sandbox.control.releaseWebhooks();
    }
    const done = await waitForOrder(t, order.id, (o) => o.disputes[0]?.status === 'won' && o.disputes[0]?.closedAt !== null && o.status === 'paid', 'escalated inquiry won');
    expect(done.disputes[0]).toMatchObject({ stripeDisputeId: dp!, recoveryStatus: 'none' });
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind).sort()).toEqual(['charge', 'dispute_withdrawal', 'dispute_won']);
    expect(sumLines(entries, 'dispute_funds_withdrawn')).toBe(0n);
    expect(sumLines(entries, 'dispute_fees')).toBe(0n);
    await expectBooksMatchStripe(t);
  });

  it('an inquiry closed without escalating withdraws and books nothing', async () => {
    const s = await createActiveSeller(t);
    const listing = await createListing(t, s, { unitAmount: 4_000 });
    const order = await paidOrder(t, buyer, listing);
    const dp = (await control(`/charges/${order.chargeId}/inquiry`, {})).id as string;
    await waitForOrder(t, order.id, (o) => o.disputes[0]?.status === 'warning_needs_response', 'inquiry recorded');
    await control(`/disputes/${dp}/close`, { outcome: 'warning_closed' });
    const closed = await waitForOrder(t, order.id, (o) => o.disputes[0]?.closedAt !== null, 'inquiry closed');
    expect(closed).toMatchObject({ status: 'paid' });
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge']);
    await expectBooksMatchStripe(t);
  });
});

describe('events that overtake the payment', () => {
  it('a dispute delivered before any payment event pays the order itself, then records the dispute; the payment events later change nothing', async () => {
    const s = await createActiveSeller(t);
    const listing = await createListing(t, s, { unitAmount: 5_000 });
    t.sandbox.control.setWebhookFaults({ outage: true });
    let orderId = '';
    try {
      const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
      orderId = res.body.orderId;
      expect(await payOnHostedPage(res.body.checkoutUrl, '4000000000000259')).toBe(303);
      const session = await t.stripe.checkout.sessions.retrieve((await getOrder(t, orderId)).checkoutSessionId);
      const [created] = (await t.stripe.events.list({ type: 'charge.dispute.created', limit: 100 })).data.filter(
        (e) => (e.data.object as { payment_intent?: string }).payment_intent === session.payment_intent,
      );
      // only the dispute's event reaches us, signed as Stripe signs it
      const payload = JSON.stringify(created);
      await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
      const disputed = await waitForOrder(t, orderId, (o) => o.status === 'disputed' && o.chargeId !== null, 'paid by the dispute event, then disputed');
      expect(disputed.disputes).toHaveLength(1);
    } finally {
      t.sandbox.control.setWebhookFaults({ outage: false });
      t.sandbox.control.releaseWebhooks();
    }
    await t.sandbox.control.webhooksIdle();
    await waitForOrder(t, orderId, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'recovered');
    const entries = await ledgerEntries(t, orderId);
    expect(entries.filter((e) => e.kind === 'charge')).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'dispute_withdrawal')).toHaveLength(1);
    await expectBooksMatchStripe(t);
  });
});

describe('the balance check', () => {
  it('fails, naming the balance, the currency and the amount, when the ledger books a wrong amount', async () => {
    await expectBooksMatchStripe(t, { advanceSeconds: 0 });
    const s = await createActiveSeller(t);
    const listing = await createListing(t, s, { unitAmount: 3_000 });
    await paidOrder(t, buyer, listing);
    await expectBooksMatchStripe(t);
    // a booking Stripe never made: 1.23 USD into the seller's connected balance
    const usd = Money.of(123n, 'USD');
    await t.app.get(DataSource).transaction((tx) =>
      t.app.get(LedgerService).post(tx, {
        kind: 'test',
        reference: { type: 'test', id: 'wrong' },
        idempotencyKey: `wrong:${randomUUID()}`,
        lines: [
          { account: 'connected_cash_available', amount: usd, sellerId: s.id, stripe: { objectId: 'py_wrong', balanceTransactionId: null, account: s.account, availableOn: null } },
          { account: 'seller_payable_available', amount: usd.negate(), sellerId: s.id },
        ],
      }),
    );
    const report = await balanceCheck(t, { sellerId: s.id });
    expect(report.matches).toBe(false);
    expect(report.balances).toEqual([
      expect.objectContaining({ balance: 'connected', sellerId: s.id, account: s.account, currency: 'USD', difference: { pending: '0', available: '123' }, matches: false }),
    ]);
    expect(describeMismatches(report.balances)).toEqual([
      `connected seller ${s.id} (${s.account}) USD available: ledger ${report.balances[0]!.ledger.available}, Stripe ${report.balances[0]!.stripe.available}, difference 123`,
    ]);
    await expect(expectBooksMatchStripe(t, { advanceSeconds: 0, timeoutMs: 1_000 })).rejects.toThrow(`connected seller ${s.id} (${s.account}) USD available`);
    // the platform's own balance still matches
    expect((await balanceCheck(t)).balances.filter((b) => b.balance === 'platform').every((b) => b.matches)).toBe(true);
  });

  it('refuses a malformed filter and non-admins', async () => {
    await t.http.get('/admin/ledger/balance-check').query({ sellerId: 'nope' }).set(bearer(t.adminKey)).expect(400);
    await t.http.get('/admin/ledger/balance-check').query({ currency: 'US' }).set(bearer(t.adminKey)).expect(400);
    await t.http.get('/admin/ledger/balance-check').set(bearer(seller.key)).expect(403);
  });
});
