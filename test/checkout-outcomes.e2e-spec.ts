// What becomes of a checkout besides a plain payment: a session left to expire, a declined card
// then a good one on the same session, and destination charges on behalf of the seller.
import { createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { inboxSettled, processedEventsAbout } from './support/inbox.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DECLINED_CARD = '4000000000000002';
const GOOD_CARD = '4242424242424242';

describe('checkout outcomes', () => {
  let t: TestApp;
  let sql: SqlClient;
  let seller: ActiveSeller;
  let buyer: PrincipalWithKey;
  let listing: string;

  beforeAll(async () => {
    t = await startTestApp();
    sql = sqlClient(t.databaseUrl);
    seller = await createActiveSeller(t);
    buyer = await createPrincipal(t, 'buyer');
    listing = await createListing(t, seller, { unitAmount: 4_000 });
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
  });

  it('a session nobody pays expires at Stripe: checkout.session.expired makes the order expired, with no ledger entry', async () => {
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
    const orderId = res.body.orderId as string;
    expect(res.body.status).toBe('awaiting_payment');
    const sessionId = (await waitForOrder(t, orderId, (o) => o.checkoutSessionId !== null, 'session recorded')).checkoutSessionId as string;
    expect((await t.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('open');

    // the sandbox expires sessions as its clock passes their expires_at (24 h by default)
    t.sandbox.control.advance(25 * 3600);
    const expired = await waitForOrder(t, orderId, (o) => o.status === 'expired', 'order expired');
    expect(expired).toMatchObject({ status: 'expired', chargeId: null, paidAt: null, amountRefunded: '0' });
    expect((await t.stripe.checkout.sessions.retrieve(sessionId)).status).toBe('expired');
    const events = await processedEventsAbout(t, sql, sessionId, ['checkout.session.expired']);
    expect(events.map((e) => e.status)).toEqual(['processed']);
    expect(await ledgerEntries(t, orderId)).toEqual([]);
    // a paid order next to it is booked as usual, and the books match Stripe
    await paidOrder(t, buyer, listing);
    await expectBooksMatchStripe(t);
  });

  it('a declined card then a good one on the same session: the order ends paid and is booked once', async () => {
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 2 }]).expect(201);
    const orderId = res.body.orderId as string;
    expect(await payOnHostedPage(res.body.checkoutUrl, DECLINED_CARD)).toBe(402);
    // the decline reached us: the order failed, nothing booked
    const failed = await waitForOrder(t, orderId, (o) => o.status === 'failed', 'order failed after the decline');
    expect(failed.chargeId).toBeNull();
    expect(await ledgerEntries(t, orderId)).toEqual([]);

    expect(await payOnHostedPage(res.body.checkoutUrl, GOOD_CARD)).toBe(303);
    const paid = await waitForOrder(t, orderId, (o) => o.status === 'paid' && o.chargeId !== null, 'order paid after the second card');
    // every event about this payment worked before counting what was booked
    const events = await processedEventsAbout(t, sql, paid.paymentIntentId, [
      'payment_intent.payment_failed',
      'payment_intent.succeeded',
      'charge.succeeded',
      'charge.failed',
      'checkout.session.completed',
    ]);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['payment_intent.payment_failed', 'payment_intent.succeeded']));
    await inboxSettled(t, sql);
    expect(paid).toMatchObject({ status: 'paid', amountTotal: '8000' });
    expect((await getOrder(t, orderId)).status).toBe('paid');

    const entries = await ledgerEntries(t, orderId);
    expect(entries.map((e) => e.kind)).toEqual(['charge']);
    expect(entries[0]!.idempotencyKey).toBe(`charge:${paid.chargeId}`);
    // Stripe holds one successful charge on the payment intent, the one we booked
    const charges = (await t.stripe.charges.list({ payment_intent: paid.paymentIntentId, limit: 100 })).data;
    expect(charges.filter((c) => c.status === 'succeeded').map((c) => c.id)).toEqual([paid.chargeId]);
    await expectBooksMatchStripe(t);
  });
});

describe('CHECKOUT_ON_BEHALF_OF=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { CHECKOUT_ON_BEHALF_OF: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the payment intent and its charge carry on_behalf_of = the seller account; the order is paid and booked', async () => {
    const seller = await createActiveSeller(t);
    const buyer = await createPrincipal(t, 'buyer');
    const listing = await createListing(t, seller, { unitAmount: 6_000 });
    const order = await paidOrder(t, buyer, listing);
    expect(order).toMatchObject({ status: 'paid', amountTotal: '6000' });

    const pi = await t.stripe.paymentIntents.retrieve(order.paymentIntentId);
    expect(pi.on_behalf_of).toBe(seller.account);
    expect(pi.transfer_data?.destination).toBe(seller.account);
    const charge = await t.stripe.charges.retrieve(order.chargeId);
    expect(charge.on_behalf_of).toBe(seller.account);

    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge']);
    await expectBooksMatchStripe(t);
  });
});
