// Review of 4eb983a: a retried request (idempotency takeover) that resumes a refund still pending
// with no Stripe id (Stripe's answer was lost) must follow the same rule as the recovery worker:
// once the key `refund:<id>` may be forgotten (older than 23 h), the refund is looked up by
// metadata.refund_id on the charge, never created again. Sent blindly, a create reaching a Stripe
// that pruned the key (24 h on Stripe's clock, which may run ahead of ours) is a second refund.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, waitForOrder } from './support/checkout.js';
import { refundOrder, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYMENTS_WORKER_POLL_MS: '50', STRIPE_MAX_RETRIES: '1' });
const sql = { query: (text: string, params: unknown[]) => t.app.get(DataSource).query(text, params) };
const theRefund = async (orderId: string) => (await getOrder(t, orderId)).refunds[0] as { id: string; status: string; stripeRefundId: string | null };

const refundWithKey = (orderId: string, key: string) => refundOrder(t, orderId, { amount: '1000' }, key);

async function aPaidOrder() {
  const listing = await createListing(t, await createActiveSeller(t), { unitAmount: 10_000 });
  return paidOrder(t, await createPrincipal(t, 'buyer'), listing);
}

/**
 * 23 h 30 min later on our clock (the worker was down all that time: the recovery never ran, so the
 * refund was last touched just now), the client retries. Stripe's clock runs half an hour ahead of
 * ours and has pruned `refund:<id>` (that margin is why our rule says 23 h). The first request's
 * process died before it stored its answer; its key, 23 h 30 min old, still lives: taken over.
 */
async function retriedNearlyADayLater(orderId: string, refundId: string, key: string) {
  await sql.query(`UPDATE refunds SET created_at = now() - interval '23 hours 30 minutes', updated_at = now() WHERE id = $1`, [refundId]);
  t.sandbox.control.advance(24 * 3600 + 60);
  await sql.query(
    `UPDATE idempotency_keys SET state = 'in_flight', response_status = NULL, response_body = NULL, locked_until = now() - interval '1 second',
            created_at = now() - interval '23 hours 30 minutes', expires_at = now() + interval '30 minutes' WHERE key = $1`,
    [key],
  );
  return refundWithKey(orderId, key);
}

describe('a retried refund request resuming a refund whose key may be forgotten', () => {
  it('looks the refund up at Stripe by metadata.refund_id and settles it, never refunding a second time', async () => {
    const order = await aPaidOrder();
    // Stripe makes the refund, every answer is lost, and no webhook tells us
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'lose_response', count: 2 });
    const key = randomUUID();
    const first = await refundWithKey(order.id, key);
    expect(first.status).toBe(503);
    t.sandbox.control.clearFaults();
    const stranded = await theRefund(order.id);
    expect(stranded).toMatchObject({ status: 'pending', stripeRefundId: null });
    const made = (await t.stripe.refunds.list({ charge: order.chargeId })).data;
    expect(made.map((r) => r.metadata?.refund_id)).toEqual([stranded.id]);

    const retried = await retriedNearlyADayLater(order.id, stranded.id, key);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ id: stranded.id, status: 'succeeded', stripeRefundId: made[0]!.id });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([made[0]!.id]);
    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'resumed refund settled');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect((await ledgerEntries(t, order.id)).map((e) => e.idempotencyKey)).toEqual([`charge:${order.chargeId}`, `refund:${made[0]!.id}`]);

    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });

  it('fails it when Stripe has no refund for it (the create never reached Stripe), and the order may be refunded again', async () => {
    const order = await aPaidOrder();
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'connection_reset', count: 2 });
    const key = randomUUID();
    expect((await refundWithKey(order.id, key)).status).toBe(503);
    t.sandbox.control.clearFaults();
    const stranded = await theRefund(order.id);
    expect(stranded.status).toBe('pending');
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data).toEqual([]);

    const retried = await retriedNearlyADayLater(order.id, stranded.id, key);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ id: stranded.id, status: 'failed', stripeRefundId: null });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data).toEqual([]);

    // nothing left in progress: a new request refunds the order
    const again = await refundWithKey(order.id, randomUUID());
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ status: 'succeeded', amount: '1000' });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([again.body.stripeRefundId]);
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});
