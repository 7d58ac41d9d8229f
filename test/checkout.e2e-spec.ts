// Checkout end to end: real app, real PostgreSQL, the Stripe sandbox (hosted checkout page, webhooks).
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, getOrder, ledgerEntries, payOnHostedPage, sumLines, waitForOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t, 'Acme Ceramics');
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const sessionsOf = async (orderId: string) => (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.metadata?.order_id === orderId);

describe('POST /checkout, single seller', () => {
  it('checkout -> hosted page paid with 4242 -> webhook -> paid; Stripe holds the fee and the transfer; the ledger balances', async () => {
    const mug = await createListing(t, seller, { unitAmount: 2_500, title: 'Mug' });
    const bowl = await createListing(t, seller, { unitAmount: 5_000, title: 'Bowl' });
    const res = await checkout(t, buyer, [
      { listingId: mug, quantity: 2 },
      { listingId: bowl, quantity: 1 },
    ]).expect(201);
    expect(res.body).toEqual({ orderId: expect.any(String), status: 'awaiting_payment', checkoutUrl: expect.stringContaining('/_sandbox/checkout/cs_'), amountTotal: '10000', currency: 'USD' });
    const orderId = res.body.orderId as string;

    // the Checkout Session as Stripe holds it: a destination charge with the platform's fee (default 10 %)
    const [session] = await sessionsOf(orderId);
    expect(session).toMatchObject({ mode: 'payment', amount_total: 10_000, currency: 'usd', metadata: { order_id: orderId }, status: 'open' });
    const order = await getOrder(t, orderId);
    expect(order).toMatchObject({ status: 'awaiting_payment', chargeType: 'destination', amountTotal: '10000', applicationFeeTotal: '1000', checkoutSessionId: session!.id });
    expect(order.sellers).toEqual([{ sellerId: seller.id, stripeAccountId: seller.account, subtotal: '10000', fee: '1000', sellerShare: '9000' }]);
    expect(order.lines).toEqual(
      expect.arrayContaining([
        { listingId: mug, sellerId: seller.id, title: 'Mug', quantity: 2, unitAmount: '2500', amount: '5000' },
        { listingId: bowl, sellerId: seller.id, title: 'Bowl', quantity: 1, unitAmount: '5000', amount: '5000' },
      ]),
    );

    expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
    const paid = await waitForOrder(t, orderId, (o) => o.status === 'paid', 'order paid');
    expect(paid.paymentIntentId).toMatch(/^pi_/);
    expect(paid.chargeId).toMatch(/^ch_/);

    // what Stripe did: the charge carries the fee, the whole amount went to the seller by transfer
    const charge = await t.stripe.charges.retrieve(paid.chargeId, { expand: ['balance_transaction'] });
    expect(charge.application_fee_amount).toBe(1_000);
    expect(charge.transfer_group).toBe(orderId);
    const intent = await t.stripe.paymentIntents.retrieve(paid.paymentIntentId);
    expect(intent.transfer_data?.destination).toBe(seller.account);
    const transfers = (await t.stripe.transfers.list({ destination: seller.account })).data.filter((tr) => tr.source_transaction === charge.id);
    expect(transfers.map((tr) => tr.amount)).toEqual([10_000]);
    const stripeFee = BigInt((charge.balance_transaction as { fee: number }).fee);
    expect(stripeFee).toBeGreaterThan(0n);

    // the ledger: one charge entry that sums to zero; fee revenue = the fee; the seller is owed amount - fee
    const entries = await ledgerEntries(t, orderId);
    expect(entries.map((e) => e.kind)).toEqual(['charge']);
    expect(entries[0]!.idempotencyKey).toBe(`charge:${charge.id}`);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    expect(sumLines(entries, 'platform_fee_revenue')).toBe(-1_000n);
    expect(sumLines(entries, 'seller_payable_pending', seller.id)).toBe(-9_000n);
    expect(sumLines(entries, 'stripe_processing_fees')).toBe(stripeFee);
    // the platform's balance: the charge's net, minus the transfer, plus the application fee; the seller's: gross - fee
    expect(sumLines(entries, 'platform_cash_pending')).toBe(1_000n - stripeFee);
    expect(sumLines(entries, 'connected_cash_pending', seller.id)).toBe(9_000n);

    // both payment events arrived (session completed and payment intent succeeded): booked once
    const processed = await sql.query<{ type: string }>(
      `SELECT type FROM webhook_events WHERE status = 'processed' AND type IN ('checkout.session.completed', 'payment_intent.succeeded') AND payload::text LIKE $1`,
      [`%${orderId}%`],
    );
    expect(processed.map((p) => p.type).sort()).toEqual(['checkout.session.completed', 'payment_intent.succeeded']);
    expect(await sql.query(`SELECT 1 FROM ledger_entries WHERE reference_id = $1`, [orderId])).toHaveLength(1);

    // the books against Stripe's balances once the funds are available (and paid out on the way)
    await expectBooksMatchStripe(t);
  });

  it('a declined card: order failed, nothing booked', async () => {
    const listing = await createListing(t, seller, { unitAmount: 1_999 });
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
    expect(await payOnHostedPage(res.body.checkoutUrl, '4000000000000002')).toBe(402);
    const failed = await waitForOrder(t, res.body.orderId, (o) => o.status === 'failed', 'order failed');
    expect(failed).toMatchObject({ failureCode: 'generic_decline', failureMessage: 'Your card was declined.', chargeId: null });
    expect(await ledgerEntries(t, res.body.orderId)).toEqual([]);
  });

  it('works in JPY (zero-decimal) and KWD (three-decimal): Stripe is asked for minor units, KWD amounts end in 0, both settle in USD and the books match', async () => {
    t.sandbox.control.setExchangeRates({ kwd: { usd: '3.25' } }); // usd -> jpy 150 is the sandbox's default
    for (const [currency, unitAmount, fee, settledUsd] of [
      ['JPY', 1_234, '123', 823], // 10 % of 1 234 = 123.4 -> 123 yen; 1 234 / 150 = 8.2267 USD
      ['KWD', 12_340, '1230', 4_011], // 10 % of 12.340 = 1.234 -> 1.230 (last digit 0); 12.340 x 3.25 = 40.105 USD
    ] as const) {
      const listing = await createListing(t, seller, { unitAmount, currency });
      const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
      expect(res.body).toMatchObject({ currency, amountTotal: String(unitAmount) });
      const order = await getOrder(t, res.body.orderId);
      expect(order.sellers[0]).toMatchObject({ fee, sellerShare: String(unitAmount - Number(fee)) });
      // what Stripe was asked: the amount in the currency's own minor units, not rescaled to cents
      const [session] = await sessionsOf(res.body.orderId);
      expect(session).toMatchObject({ currency: currency.toLowerCase(), amount_total: unitAmount });

      expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
      const paid = await waitForOrder(t, res.body.orderId, (o) => o.status === 'paid', `${currency} order paid`);
      const charge = await t.stripe.charges.retrieve(paid.chargeId, { expand: ['balance_transaction'] });
      expect(charge).toMatchObject({ amount: unitAmount, currency: currency.toLowerCase(), application_fee_amount: Number(fee) });
      // the platform settles in USD: Stripe converted the charge
      expect(charge.balance_transaction).toMatchObject({ amount: settledUsd, currency: 'usd' });

      if (currency === 'KWD') {
        // a partial refund of 5.005 KWD cannot be made at Stripe: 422 and nothing changes; 5.000 KWD can
        const refund = (amount: number) => t.http.post(`/orders/${paid.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount });
        const odd = await refund(5_005).expect(422);
        expect(odd.body.error).toMatchObject({ code: 'REFUNDS.AMOUNT_GRANULARITY', details: { currency: 'KWD', amount: '5005', granularity: '10' } });
        expect((await t.stripe.refunds.list({ charge: charge.id })).data).toEqual([]);
        expect(await refund(5_000).expect(201)).toMatchObject({ body: { status: 'succeeded', amount: '5000' } });
      }
    }

    // a KWD amount whose last digit is not 0 is refused by the app before anything is made ...
    const refused = await t.http.post('/listings').set(bearer(seller.key)).send({ title: 'Bowl', unitAmount: 12_345, currency: 'KWD' }).expect(400);
    expect(refused.body.error).toMatchObject({ code: 'LISTINGS.AMOUNT_GRANULARITY', details: { currency: 'KWD', granularity: '10', unitAmount: '12345' } });
    // ... and by Stripe (the sandbox's own rule), so an app sending 12.345 KWD could not pass this test
    await expect(
      t.stripe.checkout.sessions.create({
        mode: 'payment',
        success_url: 'https://shop.example/ok',
        line_items: [{ quantity: 1, price_data: { currency: 'kwd', unit_amount: 12_345, product_data: { name: 'Bowl' } } }],
      }),
    ).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'line_items[0][price_data][unit_amount]' });

    await expectBooksMatchStripe(t);
  });
});

describe('POST /checkout, idempotency', () => {
  it('50 parallel identical requests with one key: one order, one Checkout Session; the same key with another body: 422', async () => {
    const listing = await createListing(t, seller, { unitAmount: 700 });
    const key = randomUUID();
    const before = await sql.one<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1`, [buyer.id]);
    const responses = await Promise.all(Array.from({ length: 50 }, () => checkout(t, buyer, [{ listingId: listing, quantity: 3 }], key)));
    const ok = responses.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of responses) expect([201, 409]).toContain(r.status);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    const orderIds = new Set(ok.map((r) => r.body.orderId));
    expect(orderIds.size).toBe(1);
    const after = await sql.one<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1`, [buyer.id]);
    expect(after.n - before.n).toBe(1);
    const [orderId] = [...orderIds];
    expect(await sessionsOf(orderId)).toHaveLength(1);

    // a later retry replays the same answer
    const replay = await checkout(t, buyer, [{ listingId: listing, quantity: 3 }], key).expect(201);
    expect(replay.body).toEqual(ok[0]!.body);
    const reused = await checkout(t, buyer, [{ listingId: listing, quantity: 4 }], key).expect(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY.KEY_REUSED');
    const missing = await t.http
      .post('/checkout')
      .set(bearer(buyer.key))
      .send({ items: [{ listingId: listing, quantity: 1 }], successUrl: 'https://a.example/s', cancelUrl: 'https://a.example/c' })
      .expect(400);
    expect(missing.body.error.code).toBe('IDEMPOTENCY.KEY_REQUIRED');
  });
});

describe('POST /checkout refusals change nothing', () => {
  const counts = async () => sql.one<{ orders: number; lines: number }>(`SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM order_lines) AS lines`);

  it('refuses an inactive seller, mixed currencies, inactive listings, quantities below 1 and totals above Stripe maximum', async () => {
    const pending = await createPrincipal(t, 'seller');
    await t.http.post('/sellers/me/connected-account').set(bearer(pending.key)).send({}).expect(201);
    const notActive = await createListing(t, pending, { unitAmount: 100 });
    const usd = await createListing(t, seller, { unitAmount: 100 });
    const eur = await createListing(t, seller, { unitAmount: 100, currency: 'EUR' });
    const gone = await createListing(t, seller, { unitAmount: 100 });
    await t.http.post(`/listings/${gone}/deactivate`).set(bearer(seller.key)).expect(200);
    const big = await createListing(t, seller, { unitAmount: 99_999_999 });
    const cent = await createListing(t, seller, { unitAmount: 1 }); // a listing below the minimum is fine: the cart total is checked
    const yen = await createListing(t, seller, { unitAmount: 49, currency: 'JPY' });
    const sessionsBefore = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const before = await counts();

    const cases: Array<[{ listingId: string; quantity: number }[], number, string]> = [
      [[{ listingId: notActive, quantity: 1 }], 422, 'SELLER_NOT_ACTIVE'],
      [
        [
          { listingId: usd, quantity: 1 },
          { listingId: eur, quantity: 1 },
        ],
        422,
        'CHECKOUT.MIXED_CURRENCIES',
      ],
      [[{ listingId: gone, quantity: 1 }], 422, 'LISTINGS.NOT_AVAILABLE'],
      [[{ listingId: usd, quantity: 0 }], 400, 'CHECKOUT.INVALID_QUANTITY'],
      [[{ listingId: usd, quantity: -2 }], 400, 'CHECKOUT.INVALID_QUANTITY'],
      [
        [
          { listingId: big, quantity: 1 },
          { listingId: usd, quantity: 1 },
        ],
        422,
        'CHECKOUT.AMOUNT_TOO_LARGE',
      ],
      [[{ listingId: big, quantity: 2 }], 422, 'CHECKOUT.AMOUNT_TOO_LARGE'],
      [[{ listingId: cent, quantity: 1 }], 422, 'CHECKOUT.AMOUNT_TOO_SMALL'],
      [[{ listingId: cent, quantity: 49 }], 422, 'CHECKOUT.AMOUNT_TOO_SMALL'],
      [[{ listingId: yen, quantity: 1 }], 422, 'CHECKOUT.AMOUNT_TOO_SMALL'],
    ];
    for (const [items, status, code] of cases) {
      const res = await checkout(t, buyer, items);
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    }
    expect(await counts()).toEqual(before);
    expect((await t.stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(sessionsBefore);
    const tooSmall = await checkout(t, buyer, [{ listingId: cent, quantity: 3 }]).expect(422);
    expect(tooSmall.body.error).toMatchObject({ code: 'CHECKOUT.AMOUNT_TOO_SMALL', details: { currency: 'USD', minimum: '50', total: '3' } });
    expect(await counts()).toEqual(before);
    // 1 cent fifty times reaches Stripe's minimum of USD 0.50
    expect((await checkout(t, buyer, [{ listingId: cent, quantity: 50 }]).expect(201)).body.amountTotal).toBe('50');
  });

  it('a cart above the minimum in its own currency but below it once Stripe converts it (¥60 on a USD platform) is a 422, not an outage', async () => {
    const listing = await createListing(t, seller, { unitAmount: 60, currency: 'JPY' });
    const key = randomUUID();
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'CHECKOUT.AMOUNT_TOO_SMALL', details: { currency: 'JPY', total: '60' } });
    const orderId = res.body.error.details.orderId as string;
    expect(await getOrder(t, orderId)).toMatchObject({ status: 'failed', failureCode: 'amount_too_small', checkoutUrl: null });
    // the order is bound to the key: the same request answers the same
    const again = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key);
    expect(again.status).toBe(422);
    expect(again.body.error.details.orderId).toBe(orderId);
  });

  it('only buyers check out', async () => {
    const listing = await createListing(t, seller, { unitAmount: 100 });
    await checkout(t, seller, [{ listingId: listing, quantity: 1 }]).expect(403);
  });

  it('a Stripe failure marks the order failed (nothing half-made); the same key replays that answer, a new key checks out anew', async () => {
    const listing = await createListing(t, seller, { unitAmount: 900 });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/checkout/sessions', kind: 'error_500', count: 10 });
    const key = randomUUID();
    try {
      const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('CHECKOUT.PAYMENT_PROVIDER_FAILED');
      // our words only: Stripe's (or the transport's) text stays in the log
      expect(res.body.error.message).toMatch(/^Stripe could not create the Checkout Session; order [0-9a-f-]{36} is marked failed\. Check out again/);
      expect(JSON.stringify(res.body)).not.toMatch(/api_error|ECONN|socket|status code|An error occurred/i);
      const orderId = res.body.error.details.orderId as string;
      expect(await getOrder(t, orderId)).toMatchObject({
        status: 'failed',
        checkoutUrl: null,
        checkoutSessionId: null,
        failureCode: 'STRIPE.OUTCOME_UNKNOWN',
        failureMessage: 'Stripe could not create the Checkout Session',
      });
      expect(await sessionsOf(orderId)).toEqual([]);
      t.sandbox.control.clearFaults();
      // a server-side failure is stored by the idempotency layer: the same key replays it
      const replay = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key).expect(503);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.error).toMatchObject({ code: 'CHECKOUT.PAYMENT_PROVIDER_FAILED', details: { orderId } });
      // a new attempt is a new key
      const retry = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], randomUUID()).expect(201);
      expect(retry.body.orderId).not.toBe(orderId);
      expect(retry.body.status).toBe('awaiting_payment');
      expect((await getOrder(t, orderId)).status).toBe('failed');
    } finally {
      t.sandbox.control.clearFaults();
    }
  });
});

describe('GET /orders/:id', () => {
  it('the buyer sees their order, each seller only their lines, an admin everything, anyone else 404', async () => {
    const other = await createActiveSeller(t, 'Other Goods');
    const mine = await createListing(t, seller, { unitAmount: 1_000, title: 'Vase' });
    const theirs = await createListing(t, other, { unitAmount: 3_000, title: 'Lamp' });
    const res = await checkout(t, buyer, [
      { listingId: mine, quantity: 1 },
      { listingId: theirs, quantity: 1 },
    ]).expect(201);
    const orderId = res.body.orderId as string;

    const asBuyer = await getOrder(t, orderId, buyer.key);
    expect(asBuyer).toMatchObject({ chargeType: 'separate_transfers', amountTotal: '4000', applicationFeeTotal: '400' });
    expect(asBuyer.lines).toHaveLength(2);
    const asSeller = await getOrder(t, orderId, seller.key);
    expect(asSeller.lines.map((l: { title: string }) => l.title)).toEqual(['Vase']);
    expect(asSeller.sellers).toEqual([{ sellerId: seller.id, stripeAccountId: seller.account, subtotal: '1000', fee: '100', sellerShare: '900' }]);
    expect(asSeller).toMatchObject({ amountTotal: '1000', applicationFeeTotal: null });
    // their part only: not the buyer, the buyer's open checkout link, a decline, nor the order's refunds
    expect(asSeller).toMatchObject({ buyerId: null, checkoutUrl: null, checkoutSessionId: null, failureCode: null, failureMessage: null, amountRefunded: null, refunds: [] });
    expect(asBuyer).toMatchObject({ buyerId: buyer.id, checkoutUrl: expect.stringContaining('/_sandbox/checkout/') });
    const asOther = await getOrder(t, orderId, other.key);
    expect(asOther.lines.map((l: { title: string }) => l.title)).toEqual(['Lamp']);
    expect((await getOrder(t, orderId)).sellers).toHaveLength(2);

    const stranger = await createPrincipal(t, 'buyer');
    const outsider = await createPrincipal(t, 'seller');
    for (const p of [stranger, outsider]) expect((await t.http.get(`/orders/${orderId}`).set(bearer(p.key))).status).toBe(404);
    expect((await t.http.get(`/orders/${randomUUID()}`).set(bearer(buyer.key))).status).toBe(404);
    expect((await t.http.get(`/orders/not-a-uuid`).set(bearer(buyer.key))).status).toBe(404);

    // the multi-seller session: one charge for the cart, grouped by the order id, no destination
    const [session] = await sessionsOf(orderId);
    expect(session).toMatchObject({ amount_total: 4_000 });
    expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
    const paid = await waitForOrder(t, orderId, (o) => o.status === 'paid', 'multi-seller order paid');
    const charge = await t.stripe.charges.retrieve(paid.chargeId);
    expect(charge).toMatchObject({ transfer_group: orderId, transfer_data: null, application_fee_amount: null });
    const entries = await ledgerEntries(t, orderId);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    expect(sumLines(entries, 'seller_payable_pending', seller.id)).toBe(-900n);
    expect(sumLines(entries, 'seller_payable_pending', other.id)).toBe(-2_700n);
    expect(sumLines(entries, 'platform_fee_revenue')).toBe(-400n);
    await expectBooksMatchStripe(t);
  });
});
