// Every Stripe parameter of an intent is fixed when it is recorded: a retry with the same key sends
// the same request, whatever the configuration says by then.
import { randomUUID } from 'node:crypto';
import { PaymentsConfig } from '../apps/marketplace/src/payments/payments.config.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { sqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
});
afterAll(async () => {
  await t?.close();
});

it('a refund retried by the worker after REFUND_APPLICATION_FEE changed sends what was recorded (no idempotency error at Stripe), and the fee is refunded as asked first', async () => {
  const sql = sqlClient(t.databaseUrl);
  try {
    const seller = await createActiveSeller(t);
    const buyer = await createPrincipal(t, 'buyer');
    const order = await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 10_000 }));
    // Stripe makes the refund but its answer is lost, again and again, and its webhooks are late:
    // the intent stays pending until the worker retries it
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'lose_response', count: 10 });
    const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '2000' });
    expect(res.status).toBe(503);
    t.sandbox.control.clearFaults();
    // the platform changes its policy before the worker retries
    t.app.get(PaymentsConfig).REFUND_APPLICATION_FEE = 'never';
    await sql.query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE order_id = $1`, [order.id]);
    const done = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'refund finished by the worker');
    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    expect(done.refunds[0]).toMatchObject({ amount: '2000', applicationFeeRefund: '200' });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data).toHaveLength(1);
    await expectBooksMatchStripe(t);
  } finally {
    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    t.app.get(PaymentsConfig).REFUND_APPLICATION_FEE = 'proportional';
    await sql.end();
  }
});
