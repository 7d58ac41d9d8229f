// The simulation moves days at once: for Stripe (the sandbox's clock) and for the intents still
// pending (their age tells the app whether Stripe may have forgotten their key), as real time does.
// Moving the sandbox alone left `refund:<id>` fresh for the app and forgotten by Stripe: the recovery
// sent it again and Stripe made a second refund (`npm run sim -- --seed 28 --steps 8`, intermittent).
import { randomUUID } from 'node:crypto';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { passTime } from './sim/invariants.js';

let t: TestApp;
let sql: SqlClient;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50', STRIPE_MAX_RETRIES: '1' } });
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

describe("the simulation's passing days", () => {
  it('a refund stranded pending across 3 days is found at Stripe by the recovery, not made a second time', async () => {
    const seller = await createActiveSeller(t);
    const listing = await createListing(t, seller, { unitAmount: 10_000 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    // Stripe makes the refund, both answers are lost and no webhook tells us
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'lose_response', count: 2 });
    const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('REFUNDS.PAYMENT_PROVIDER_FAILED');
    const stranded = await sql.one<{ id: string; status: string }>(`SELECT id, status FROM refunds WHERE order_id = $1`, [order.id]);
    expect(stranded.status).toBe('pending');
    const made = (await t.stripe.refunds.list({ charge: order.chargeId })).data;
    expect(made.map((r) => r.metadata?.refund_id)).toEqual([stranded.id]);

    await passTime(t, 3 * 86_400);

    // the payments worker's recovery: the key is 3 days old for the app as for Stripe, so it looks the refund up
    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'stranded refund recovered');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect(settled.refunds[0]).toMatchObject({ id: stranded.id, stripeRefundId: made[0]!.id });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([made[0]!.id]);

    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});

// A refund Stripe answered and holds pending has an id we know: the recovery worker and a retried
// request read it by that id, and never send its create again. A create resent to a Stripe that has
// forgotten `refund:<id>` (it prunes keys after 24 h, and its clock need not agree with ours) is a
// second refund: `npm run sim -- --seed 33 --steps 8` found two refunds with one refund_id this way.
describe('a refund Stripe holds pending', () => {
  it('is read by its id by a retried request and by the recovery, never made a second time', async () => {
    const seller = await createActiveSeller(t);
    const listing = await createListing(t, seller, { unitAmount: 10_000 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    // no webhook tells us how it ends: the request's retry and the recovery are all we have
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.holdRefunds(1);
    const key = randomUUID();
    const first = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send({ amount: '1000' });
    t.sandbox.control.holdRefunds(0);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'pending', stripeRefundId: expect.stringMatching(/^re_/) });
    const made = first.body.stripeRefundId as string;

    // Stripe's clock a day on from ours: it has forgotten `refund:<id>`, which our rule still calls fresh
    t.sandbox.control.advance(25 * 3600);

    // the first request's process died after Stripe answered, before its answer was saved: the
    // client's retry takes the key over and resumes the refund, read by its id
    await sql.query(`UPDATE idempotency_keys SET state = 'in_flight', response_status = NULL, response_body = NULL, locked_until = now() - interval '1 second' WHERE key = $1`, [key]);
    const retried = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send({ amount: '1000' });
    expect(retried.body).toMatchObject({ id: first.body.id, status: 'pending', stripeRefundId: made });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([made]);

    // Stripe finishes it; the recovery (past its grace) reads it by its id and settles it
    t.sandbox.control.succeedRefund(made);
    await sql.query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [first.body.id]);
    await t.app.get(RefundRecoveryService).runOnce();
    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'held refund settled by the recovery');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect(settled.refunds[0]).toMatchObject({ id: first.body.id, stripeRefundId: made });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([made]);

    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});
