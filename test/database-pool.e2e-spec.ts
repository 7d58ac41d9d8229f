// The connection pool under concurrent checkouts: nothing inside a transaction takes a second
// pooled connection, so a small pool queues requests instead of deadlocking; a request that
// cannot get a connection in time is refused with 503 SERVICE.BUSY and its Idempotency-Key is
// released (nothing was written).
import { randomUUID } from 'node:crypto';
import { PoolHold, PoolHoldFixturesModule } from './fixtures/pool-hold-fixtures.module.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, checkout, getOrder, paidOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listingId: string;

beforeAll(async () => {
  // a pool much smaller than the number of concurrent requests; the workers (ROLE=all) share it
  t = await startTestApp({ env: { DATABASE_POOL_SIZE: '3', DATABASE_POOL_TIMEOUT_MS: '10000' } });
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t, 'Pool Pottery');
  buyer = await createPrincipal(t, 'buyer');
  listingId = await createListing(t, seller, { unitAmount: 1_200, title: 'Cup' });
});
// every test here moves money at Stripe (or refuses to): it ends with the books against Stripe's balances
afterEach(async () => {
  await expectBooksMatchStripe(t);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const ordersOf = async (buyerId: string) => Number((await sql.one<{ n: string }>(`SELECT count(*)::text AS n FROM orders WHERE buyer_id = $1`, [buyerId])).n);

describe('a pool of 3 connections', () => {
  it('serves 30 concurrent checkouts: all 201, each order with its one Checkout Session', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => checkout(t, buyer, [{ listingId, quantity: 1 }])));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    const orderIds = results.map((r) => r.body.orderId as string);
    const rows = await sql.query<{ status: string; checkout_session_id: string | null }>(`SELECT status, checkout_session_id FROM orders WHERE id = ANY($1::uuid[])`, [orderIds]);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.status === 'awaiting_payment' && r.checkout_session_id?.startsWith('cs_'))).toBe(true);
    const sessions = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => orderIds.includes(s.metadata?.order_id ?? ''));
    expect(sessions).toHaveLength(30);
  }, 120_000);
});

describe('a pool of 1 connection shared by HTTP and the workers (ROLE=all)', () => {
  let solo: TestApp;
  beforeAll(async () => {
    solo = await startTestApp({ env: { DATABASE_POOL_SIZE: '1' } });
  });
  afterAll(async () => {
    await solo?.close();
  });

  // any step that takes a second pooled connection inside a transaction stalls here until the pool
  // timeout: onboarding and payment webhooks, checkout, refunds
  it('onboards a seller, checks out, is paid by webhook and refunds', async () => {
    const soloSeller = await createActiveSeller(solo, 'Solo Studio');
    const soloBuyer = await createPrincipal(solo, 'buyer');
    const listing = await createListing(solo, soloSeller, { unitAmount: 4_000, title: 'Vase' });
    const order = await paidOrder(solo, soloBuyer, listing);
    expect(order).toMatchObject({ status: 'paid', amountTotal: '4000' });
    const refund = await solo.http.post(`/orders/${order.id}/refunds`).set(bearer(solo.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: 1_000 });
    expect(refund.status).toBe(201);
    expect(refund.body).toMatchObject({ status: 'succeeded', amount: '1000' });
    expect((await getOrder(solo, order.id)).status).toBe('partially_refunded');
    // every webhook delivered so far was worked by the inbox worker, none left failing
    const inbox = sqlClient(solo.databaseUrl);
    try {
      const statuses = await waitFor(
        async () => {
          const rows = await inbox.query<{ status: string }>(`SELECT DISTINCT status FROM webhook_events`);
          return rows.every((r) => r.status === 'processed' || r.status === 'ignored') ? rows.map((r) => r.status) : undefined;
        },
        15_000,
        'the inbox worked',
      );
      expect(statuses).toContain('processed');
    } finally {
      await inbox.end();
    }
  });
});

describe('a pool of 1 connection (ROLE=api, a second instance on the same database)', () => {
  let one: TestApp;
  beforeAll(async () => {
    one = await startTestApp({
      databaseUrl: t.databaseUrl,
      sandbox: t.sandbox,
      env: { ROLE: 'api', DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '1000' },
      imports: [PoolHoldFixturesModule],
    });
  });
  afterAll(async () => {
    await one?.close();
  });

  it('checks out: no step inside the checkout transaction needs a second connection', async () => {
    const res = await checkout(one, buyer, [{ listingId, quantity: 2 }]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'awaiting_payment', amountTotal: '2400', checkoutUrl: expect.stringContaining('/_sandbox/checkout/cs_') });
  });

  it('no connection in time: 503 SERVICE.BUSY with Retry-After, nothing written, the key released for a retry', async () => {
    const key = randomUUID();
    const before = await ordersOf(buyer.id);
    const hold = one.app.get(PoolHold);
    hold.holdDuringNextRequest(1_600); // past DATABASE_POOL_TIMEOUT_MS, then the key can be released
    const refused = await checkout(one, buyer, [{ listingId, quantity: 1 }], key);
    await hold.released;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(refused.body.error).toMatchObject({ code: 'SERVICE.BUSY' });
    expect(await ordersOf(buyer.id)).toBe(before);
    expect(await sql.query(`SELECT 1 FROM idempotency_keys WHERE principal_id = $1 AND key = $2`, [buyer.id, key])).toEqual([]);

    // the same key again, with the pool free: a fresh checkout, not a replay of the 503
    const retried = await checkout(one, buyer, [{ listingId, quantity: 1 }], key);
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await ordersOf(buyer.id)).toBe(before + 1);
  });
});
