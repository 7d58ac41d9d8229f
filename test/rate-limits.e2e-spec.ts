// Rate limits: checkout, refunds and payout requests per principal, failed authentications per
// client address; counted in PostgreSQL, so a second instance on the same database sees the first's
// counts. A limited request is answered 429 RATE_LIMITED with Retry-After and changes nothing.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { PLATFORM_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { deliver, eventJson, signature } from './support/webhooks.js';

const WINDOW_S = 4;
const ENV = {
  RATE_LIMIT_CHECKOUTS: '3',
  RATE_LIMIT_CHECKOUTS_WINDOW_S: String(WINDOW_S),
  RATE_LIMIT_REFUNDS: '2',
  RATE_LIMIT_REFUNDS_WINDOW_S: String(WINDOW_S),
  RATE_LIMIT_PAYOUT_REQUESTS: '2',
  RATE_LIMIT_PAYOUT_REQUESTS_WINDOW_S: String(WINDOW_S),
  RATE_LIMIT_AUTH_FAILURES: '3',
  RATE_LIMIT_AUTH_FAILURES_WINDOW_S: String(WINDOW_S),
  RATE_LIMIT_CLEANUP_S: '1',
  PAYOUT_MODE: 'reviewed',
};

let a: TestApp;
let b: TestApp; // a second instance on the same database and sandbox
let sql: SqlClient;
let seller: ActiveSeller;
let listing: string;

beforeAll(async () => {
  a = await startTestApp({ env: ENV });
  b = await startTestApp({ env: ENV, databaseUrl: a.databaseUrl, sandbox: a.sandbox });
  sql = sqlClient(a.databaseUrl);
  seller = await createActiveSeller(a);
  listing = await createListing(a, seller, { unitAmount: 5_000 });
});
afterAll(async () => {
  await sql?.end();
  await b?.close();
  await a?.close();
});

/** The 429 as a client reads it: the code, and Retry-After in whole seconds within the window. */
function expectLimited(res: { status: number; body: { error?: { code: string; message: string } }; headers: Record<string, string> }): number {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
  return retryAfter;
}

const sleepS = (s: number) => new Promise((r) => setTimeout(r, s * 1000 + 100));
const count = async (query: string, params: unknown[]) => (await sql.query<{ n: number }>(query, params))[0]!.n;

describe('rate limits', () => {
  it('checkout: past RATE_LIMIT_CHECKOUTS per buyer 429 with Retry-After on either instance, nothing made; an idempotent replay counts; after the window it works again', async () => {
    const buyer = await createPrincipal(a, 'buyer');
    const items = [{ listingId: listing, quantity: 1 }];
    const first = await checkout(a, buyer, items).expect(201);
    await checkout(a, buyer, items).expect(201);
    // a replay answers the stored response, and is one of the buyer's requests too
    const replay = await checkout(a, buyer, items, first.headers['idempotency-key']).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const orders = () => count(`SELECT count(*)::int AS n FROM orders WHERE buyer_id = $1`, [buyer.id]);
    const sessions = async () => (await a.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const [ordersBefore, sessionsBefore] = [await orders(), await sessions()];
    expect(ordersBefore).toBe(2);

    const key = randomUUID();
    expectLimited(await checkout(a, buyer, items, key));
    // the second instance counts the same hits
    const retryAfter = expectLimited(await checkout(b, buyer, items));
    expect([await orders(), await sessions()]).toEqual([ordersBefore, sessionsBefore]);
    expect(await count(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1`, [key])).toBe(0);

    // another buyer has a counter of their own
    await checkout(b, await createPrincipal(a, 'buyer'), items).expect(201);

    await sleepS(retryAfter);
    // the key of the refused request was never taken: it makes a new order now
    const later = await checkout(b, buyer, items, key).expect(201);
    expect(later.headers['idempotent-replayed']).toBeUndefined();
    expect(await orders()).toBe(ordersBefore + 1);
  });

  it('refunds: past RATE_LIMIT_REFUNDS per principal 429 on either instance, no refund at Stripe or here; after the window it works again', async () => {
    const order = await paidOrder(a, await createPrincipal(a, 'buyer'), listing);
    const refund = (t: TestApp) => t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: 100 });
    // the two instances' admin keys are one admin principal's: one counter
    await refund(a).expect(201);
    await refund(b).expect(201);

    const stripeRefunds = async () => (await a.stripe.refunds.list({ charge: order.chargeId })).data.length;
    const rows = () => count(`SELECT count(*)::int AS n FROM refunds WHERE order_id = $1`, [order.id]);
    expect([await rows(), await stripeRefunds()]).toEqual([2, 2]);
    expectLimited(await refund(a));
    const retryAfter = expectLimited(await refund(b));
    expect([await rows(), await stripeRefunds()]).toEqual([2, 2]);

    await sleepS(retryAfter);
    await refund(b).expect(201);
    expect([await rows(), await stripeRefunds()]).toEqual([3, 3]);
    await expectBooksMatchStripe(a);
  });

  it('payout requests: past RATE_LIMIT_PAYOUT_REQUESTS per seller 429 on either instance before the use case runs; after the window the use case answers again', async () => {
    const poor = await createActiveSeller(a);
    const request = (t: TestApp, s: PrincipalWithKey) => t.http.post('/sellers/me/payouts').set(bearer(s.key)).set('Idempotency-Key', randomUUID()).send({ currency: 'usd' });
    // nothing available: refused by the use case, and still two requests
    expect((await request(a, poor)).body.error.code).toBe('PAYOUTS.NOTHING_AVAILABLE');
    expect((await request(b, poor)).body.error.code).toBe('PAYOUTS.NOTHING_AVAILABLE');
    expectLimited(await request(a, poor));
    const retryAfter = expectLimited(await request(b, poor));
    expect(await count(`SELECT count(*)::int AS n FROM payout_requests WHERE seller_id = $1`, [poor.id])).toBe(0);

    await sleepS(retryAfter);
    expect((await request(b, poor)).body.error.code).toBe('PAYOUTS.NOTHING_AVAILABLE');
  });

  it('failed authentication: past RATE_LIMIT_AUTH_FAILURES from one address every keyed request is 429 before its key is checked (a valid key too), on either instance; webhooks are not limited; after the window a key works again', async () => {
    const buyer = await createPrincipal(a, 'buyer');
    await a.http.get('/me').expect(401);
    await a.http.get('/me').set('Authorization', 'Basic x').expect(401);
    await b.http.get('/me').set(bearer('mkt_not_a_key_0000000000000000')).expect(401);

    expectLimited(await a.http.get('/me').set(bearer('mkt_not_a_key_0000000000000000')));
    // a valid key from the address is not even looked at
    expectLimited(await a.http.get('/me').set(bearer(buyer.key)));
    const retryAfter = expectLimited(await b.http.get('/me').set(bearer(a.adminKey)));
    // a limited request changes nothing: the admin key cannot make a principal
    const principals = () => count(`SELECT count(*)::int AS n FROM principals`, []);
    const before = await principals();
    expectLimited(await a.http.post('/admin/principals').set(bearer(a.adminKey)).send({ role: 'buyer', name: 'not made' }));
    expect(await principals()).toBe(before);

    // Stripe's deliveries carry their own signature and are never limited
    const payload = eventJson({ id: `evt_${randomUUID().replace(/-/g, '')}`, type: 'fixture.rate_limits' });
    await deliver(a, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
    await a.http.get('/health').expect(200);

    await sleepS(retryAfter);
    await b.http.get('/me').set(bearer(buyer.key)).expect(200);
  });

  it('expired windows are deleted by the cleanup (RATE_LIMIT_CLEANUP_S); running ones stay', async () => {
    await sql.query(`INSERT INTO rate_limit_counters (key, points, window_ends_at) VALUES ('checkout:expired', 7, now() - interval '1 second'), ('checkout:running', 1, now() + interval '1 hour')`);
    await waitFor(async () => ((await count(`SELECT count(*)::int AS n FROM rate_limit_counters WHERE key = 'checkout:expired'`, [])) === 0 ? true : undefined), 10_000, 'the expired counter deleted');
    expect(await count(`SELECT count(*)::int AS n FROM rate_limit_counters WHERE window_ends_at <= now()`, [])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM rate_limit_counters WHERE key = 'checkout:running'`, [])).toBe(1);
  });
});
