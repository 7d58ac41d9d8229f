// An Idempotency-Key is bound to the order or refund it created: a retry or a takeover of the key
// resumes that row with the same Stripe key, never makes a second one, and the key is never
// released once the row exists. Crashes are simulated in SQL: the key is put back in flight with
// no stored response, as a process killed between Stripe's answer and storing ours leaves it.
import { randomUUID } from 'node:crypto';
import { requestHash } from '../apps/marketplace/src/common/idempotency/idempotency.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, CANCEL_URL, checkout, getOrder, paidOrder, SUCCESS_URL } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t);
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
// every test here moves money at Stripe (or refuses to): it ends with the books against Stripe's balances
afterEach(async () => {
  await expectBooksMatchStripe(t);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>, key: string) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

/** The process died mid-request: the key is in flight, its lease `lease` from now (negative: run out), nothing stored. */
const crash = (key: string, lease = '-1 second') =>
  sql.query(`UPDATE idempotency_keys SET state = 'in_flight', locked_until = now() + $2::interval, response_status = NULL, response_body = NULL WHERE key = $1`, [key, lease]);

const stripeRefunds = async (chargeId: string) => (await t.stripe.refunds.list({ charge: chargeId, limit: 100 })).data;
const refundRows = (orderId: string) => sql.query<{ id: string; status: string }>(`SELECT id, status FROM refunds WHERE order_id = $1`, [orderId]);
const ordersOf = (buyerId: string) => sql.query<{ id: string }>(`SELECT id FROM orders WHERE buyer_id = $1`, [buyerId]);
async function sessionsOf(orderIds: string[]) {
  const all = await t.stripe.checkout.sessions.list({ limit: 100 });
  return all.data.filter((s) => orderIds.includes(s.metadata?.order_id ?? ''));
}

describe('refunds: the key is bound to its refund', () => {
  it('a takeover after a crash answers the same refund, and Stripe refunded once', async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    const first = await refund(order.id, { amount: 1_000 }, key).expect(201);
    await crash(key);
    const retried = await refund(order.id, { amount: 1_000 }, key).expect(201);
    expect(retried.body).toEqual(first.body);
    expect(await stripeRefunds(order.chargeId)).toHaveLength(1);
    expect(await refundRows(order.id)).toHaveLength(1);
    expect(await sql.one(`SELECT principal_id, idempotency_key FROM refunds WHERE id = $1`, [first.body.id])).toEqual({ principal_id: expect.any(String), idempotency_key: key });

    // the intent exists, so a retry need not wait out the lease of the dead claim
    await crash(key, '10 minutes');
    expect((await refund(order.id, { amount: 1_000 }, key).expect(201)).body).toEqual(first.body);
    expect(await stripeRefunds(order.chargeId)).toHaveLength(1);
    expect((await getOrder(t, order.id)).amountRefunded).toBe('1000');
  });

  it("a crash before the Stripe call: the retry makes the refund at Stripe with the intent's key and finishes it", async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    // Stripe is down for exactly the first request's attempts (1 + STRIPE_MAX_RETRIES): the refund is recorded, Stripe never made it
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'error_500', count: 4 });
    expect((await refund(order.id, { amount: 2_000 }, key).expect(503)).body.error.code).toBe('REFUNDS.PAYMENT_PROVIDER_FAILED');
    const [intent] = await refundRows(order.id);
    expect(intent).toMatchObject({ status: 'pending' });
    expect(await stripeRefunds(order.chargeId)).toHaveLength(0);

    await crash(key);
    const retried = await refund(order.id, { amount: 2_000 }, key).expect(201);
    expect(retried.body).toMatchObject({ id: intent!.id, status: 'succeeded', amount: '2000' });
    const atStripe = await stripeRefunds(order.chargeId);
    expect(atStripe).toHaveLength(1);
    expect(atStripe[0]!.metadata).toMatchObject({ refund_id: intent!.id });
    expect(await refundRows(order.id)).toEqual([{ id: intent!.id, status: 'succeeded' }]);
  });

  it('a refusal after the intent exists (Stripe still failing, refund in progress) never releases the key: no second refund', async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'error_500', count: 8 });
    await refund(order.id, { amount: 3_000 }, key).expect(503);
    const [intent] = await refundRows(order.id);
    await crash(key);
    // the takeover resumes its own refund (Stripe still down): not 409 REFUNDS.IN_PROGRESS, and the key stays
    const during = await refund(order.id, { amount: 3_000 }, key);
    expect(during.body.error?.code).not.toBe('REFUNDS.IN_PROGRESS');
    expect(during.status).toBe(503);
    expect(await sql.query(`SELECT state FROM idempotency_keys WHERE key = $1`, [key])).toEqual([{ state: 'completed' }]);
    t.sandbox.control.clearFaults();

    // crash again after Stripe is back: the retry finishes the same refund; later retries replay it
    await crash(key);
    const finished = await refund(order.id, { amount: 3_000 }, key).expect(201);
    expect(finished.body).toMatchObject({ id: intent!.id, status: 'succeeded' });
    const replayed = await refund(order.id, { amount: 3_000 }, key).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body).toEqual(finished.body);
    expect(await stripeRefunds(order.chargeId)).toHaveLength(1);
    expect(await refundRows(order.id)).toHaveLength(1);
    expect((await getOrder(t, order.id)).amountRefunded).toBe('3000');
  });

  it('a key reused after its 24 h is a new request: its old refund lets go of it and a new one is made', async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    const first = await refund(order.id, { amount: 700 }, key).expect(201);
    await sql.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [key]);
    await sql.query(`UPDATE refunds SET created_at = created_at - interval '24 hours' WHERE id = $1`, [first.body.id]);
    const second = await refund(order.id, { amount: 700 }, key).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(await sql.query(`SELECT id, idempotency_key FROM refunds WHERE order_id = $1 ORDER BY created_at`, [order.id])).toEqual([
      { id: first.body.id, idempotency_key: null },
      { id: second.body.id, idempotency_key: key },
    ]);
    expect(await stripeRefunds(order.chargeId)).toHaveLength(2);
  });

  it('20 concurrent requests with one key make one refund at Stripe; each answers 409 or that refund', async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    // Stripe is slow, so later requests find the intent recorded and resume it while Stripe still has the key in flight
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'latency', latencyMs: 400, count: 1 });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 25)).then(() => refund(order.id, { amount: 500 }, key))));
    const ok = responses.filter((r) => r.status === 201);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    expect(new Set(ok.map((r) => r.body.id)).size).toBeLessThanOrEqual(1);
    const final = await refund(order.id, { amount: 500 }, key).expect(201);
    for (const r of ok) expect(r.body.id).toBe(final.body.id);
    expect(await stripeRefunds(order.chargeId)).toHaveLength(1);
    expect(await refundRows(order.id)).toHaveLength(1);
  });
});

describe('checkout: the key is bound to its order', () => {
  const items = () => [{ listingId: listing, quantity: 2 }];

  it('a takeover after a crash answers the same order, and Stripe has one Checkout Session', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const key = randomUUID();
    const first = await checkout(t, buyer, items(), key).expect(201);
    await crash(key);
    const retried = await checkout(t, buyer, items(), key).expect(201);
    expect(retried.body).toEqual(first.body);
    expect(await ordersOf(buyer.id)).toEqual([{ id: first.body.orderId }]);
    expect(await sessionsOf([first.body.orderId])).toHaveLength(1);

    // within the dead claim's lease too
    await crash(key, '10 minutes');
    expect((await checkout(t, buyer, items(), key).expect(201)).body).toEqual(first.body);
    expect(await ordersOf(buyer.id)).toHaveLength(1);
  });

  it('a crash after Stripe made the session but before we recorded it: the retry gets the same session back from Stripe', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const key = randomUUID();
    const first = await checkout(t, buyer, items(), key).expect(201);
    await sql.query(`UPDATE orders SET checkout_session_id = NULL, checkout_url = NULL WHERE id = $1`, [first.body.orderId]);
    await crash(key);
    const retried = await checkout(t, buyer, items(), key).expect(201);
    expect(retried.body).toEqual(first.body);
    expect(await sessionsOf([first.body.orderId])).toHaveLength(1);
    expect(await ordersOf(buyer.id)).toHaveLength(1);
  });

  it("a crash before the Stripe call: the retry creates the session with the order's key and answers that order", async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const template = await checkout(t, buyer, items()).expect(201);
    // transaction 1 committed (order, lines, split, bound to the key), then the process died before calling Stripe
    const key = randomUUID();
    const orderId = randomUUID();
    await sql.query(
      `INSERT INTO orders (id, buyer_id, status, charge_type, currency, amount_total, application_fee_total, amount_refunded, stripe_idempotency_key, success_url, cancel_url, principal_id, idempotency_key)
       SELECT $1::uuid, buyer_id, 'awaiting_payment', charge_type, currency, amount_total, application_fee_total, 0, 'checkout:' || $1::text, success_url, cancel_url, buyer_id, $2 FROM orders WHERE id = $3`,
      [orderId, key, template.body.orderId],
    );
    await sql.query(
      `INSERT INTO order_lines (order_id, listing_id, seller_id, title, quantity, unit_amount, amount) SELECT $1, listing_id, seller_id, title, quantity, unit_amount, amount FROM order_lines WHERE order_id = $2`,
      [orderId, template.body.orderId],
    );
    await sql.query(
      `INSERT INTO order_sellers (order_id, seller_id, stripe_account_id, subtotal, fee, seller_share) SELECT $1, seller_id, stripe_account_id, subtotal, fee, seller_share FROM order_sellers WHERE order_id = $2`,
      [orderId, template.body.orderId],
    );
    const body = { items: items(), successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL };
    await sql.query(
      `INSERT INTO idempotency_keys (principal_id, key, request_hash, state, claim_token, locked_until, expires_at)
       VALUES ($1, $2, $3, 'in_flight', $4, now() - interval '1 second', now() + interval '24 hours')`,
      [buyer.id, key, requestHash('POST', '/checkout', body), randomUUID()],
    );
    expect(await sessionsOf([orderId])).toHaveLength(0);

    const retried = await checkout(t, buyer, items(), key).expect(201);
    expect(retried.body).toMatchObject({ orderId, status: 'awaiting_payment', checkoutUrl: expect.any(String), amountTotal: '20000' });
    const [session, ...more] = await sessionsOf([orderId]);
    expect(more).toEqual([]);
    expect(session).toMatchObject({ amount_total: 20_000, metadata: { order_id: orderId }, url: retried.body.checkoutUrl });
    expect((await ordersOf(buyer.id)).map((o) => o.id).sort()).toEqual([template.body.orderId, orderId].sort());
  });

  it('20 concurrent requests with one key make one order and one Checkout Session; each answers 409 or that order', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const key = randomUUID();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/checkout/sessions', kind: 'latency', latencyMs: 400, count: 1 });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise((r) => setTimeout(r, i * 25)).then(() => checkout(t, buyer, items(), key))));
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    const final = await checkout(t, buyer, items(), key).expect(201);
    for (const r of responses.filter((x) => x.status === 201)) expect(r.body).toEqual(final.body);
    expect(await ordersOf(buyer.id)).toEqual([{ id: final.body.orderId }]);
    expect(await sessionsOf([final.body.orderId])).toHaveLength(1);
  });
});
