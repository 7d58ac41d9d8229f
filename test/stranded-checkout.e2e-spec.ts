// Orders stranded between checkout's first transaction and the Stripe call are expired by the worker.
import { randomUUID } from 'node:crypto';
import { createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, ledgerEntries, waitForOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { StrandedCheckoutSweeper } from '../apps/marketplace/src/payments/checkout/stranded-checkout.sweeper.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe('stranded checkouts', () => {
  it('an order whose session Stripe made but we never recorded (a crash) is expired, and so is its session at Stripe', async () => {
    const listing = await createListing(t, seller, { unitAmount: 2_000 });
    const key = randomUUID();
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key).expect(201);
    const orderId = res.body.orderId as string;
    const [session] = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.metadata?.order_id === orderId);
    // the crash: Stripe's answer never stored, and nobody came back for half an hour
    await sql.query(`UPDATE orders SET checkout_session_id = NULL, checkout_url = NULL, updated_at = now() - interval '31 minutes' WHERE id = $1`, [orderId]);
    const expired = await waitForOrder(t, orderId, (o) => o.status === 'expired', 'stranded order expired');
    // expired by the sweeper, or by Stripe's checkout.session.expired for the session it expired (whichever is first)
    expect(expired).toMatchObject({ checkoutUrl: null, checkoutSessionId: session!.id });
    expect([null, 'STRANDED']).toContain(expired.failureCode);
    // the same session (the same idempotency key), now expired: it can never be paid
    expect((await t.stripe.checkout.sessions.retrieve(session!.id)).status).toBe('expired');
    expect((await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.metadata?.order_id === orderId)).toHaveLength(1);
    expect(await ledgerEntries(t, orderId)).toEqual([]);
    // the buyer's late retry gets that order, not a new one
    const retry = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }], key);
    expect(retry.body.orderId ?? retry.body.error?.details?.orderId).toBe(orderId);
    expect((await sql.query(`SELECT id FROM orders WHERE buyer_id = $1 AND id <> $2 AND created_at > now() - interval '1 minute'`, [buyer.id, orderId])).length).toBe(0);
    await expectBooksMatchStripe(t);
  });

  it('a recent order without a session (a request still on its way to Stripe) is left alone', async () => {
    const listing = await createListing(t, seller, { unitAmount: 2_100 });
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
    await sql.query(`UPDATE orders SET checkout_session_id = NULL, checkout_url = NULL WHERE id = $1`, [res.body.orderId]);
    // a round of the sweeper, run here rather than waited for
    await t.app.get(StrandedCheckoutSweeper).runOnce();
    expect((await sql.one<{ status: string }>(`SELECT status FROM orders WHERE id = $1`, [res.body.orderId])).status).toBe('awaiting_payment');
  });
});
