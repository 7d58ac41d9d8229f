// Review (adversarial): a SERVICE.BUSY refusal of a takeover releases a key whose intent exists; the
// next request with that key is then a new generation, which unbinds the intent (startGeneration)
// and makes a second refund / a second order at Stripe.
import { randomUUID } from 'node:crypto';
import { PoolHold, PoolHoldFixturesModule } from './fixtures/pool-hold-fixtures.module.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, checkout, paidOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let one: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  // a second api instance on the same database whose single pooled connection a test can take away
  one = await startTestApp({ databaseUrl: t.databaseUrl, sandbox: t.sandbox, env: { ROLE: 'api', DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '1000' }, imports: [PoolHoldFixturesModule] });
  seller = await createActiveSeller(t);
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
// every test here moves money at Stripe (or refuses to): it ends with the books against Stripe's balances
afterEach(async () => {
  await expectBooksMatchStripe(t);
});
afterAll(async () => {
  await sql?.end();
  await one?.close();
  await t?.close();
});

/** The process died after Stripe answered and before our answer was stored: the key is in flight (live lease), nothing stored. */
const crash = (key: string) =>
  sql.query(`UPDATE idempotency_keys SET state = 'in_flight', locked_until = now() + interval '10 minutes', response_status = NULL, response_body = NULL WHERE key = $1`, [key]);

describe('review: SERVICE.BUSY on a takeover', () => {
  it('a refund: takeover refused busy, then a retry with the same key answers the same refund; Stripe refunded once', async () => {
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    const key = randomUUID();
    const body = { amount: 1_000 };
    const first = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body).expect(201);
    await crash(key);

    // the client retries (on another instance): the intent exists, so the in-flight claim is taken over at once,
    // but that instance has no free connection for the refund's first transaction: 503 SERVICE.BUSY, key released
    const hold = one.app.get(PoolHold);
    hold.holdDuringNextRequest(1_600);
    const busy = await one.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);
    await hold.released;
    expect(busy.status).toBe(503);

    // and retries again: begin() INSERTs a fresh key row -> startGeneration sets refunds.idempotency_key = NULL on the
    // first refund -> RefundsService finds nothing bound and makes a second refund at Stripe
    const again = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);
    const atStripe = (await t.stripe.refunds.list({ charge: order.chargeId, limit: 100 })).data;
    expect({ status: again.status, id: again.body.id, stripeRefunds: atStripe.length }).toEqual({ status: 201, id: first.body.id, stripeRefunds: 1 });
  });

  it('a checkout: takeover refused busy, then a retry with the same key answers the same order; one Checkout Session', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const key = randomUUID();
    const first = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key).expect(201);
    await crash(key);
    const hold = one.app.get(PoolHold);
    hold.holdDuringNextRequest(1_600);
    const busy = await checkout(one, buyer, [{ listingId: listing, quantity: 1 }], key);
    await hold.released;
    expect(busy.status).toBe(503);
    const again = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key);
    const orders = await sql.query(`SELECT id FROM orders WHERE buyer_id = $1`, [buyer.id]);
    expect({ status: again.status, orderId: again.body.orderId, orders: orders.length }).toEqual({ status: 201, orderId: first.body.orderId, orders: 1 });
  });
});
