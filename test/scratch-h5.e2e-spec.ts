import { randomUUID } from 'node:crypto';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { paidOrder } from './support/checkout.js';
import { sqlClient } from './support/sql.js';
import { startTestApp } from './support/test-app.js';

it('experiment', async () => {
  const t = await startTestApp({ env: { STRIPE_MAX_RETRIES: '1' } });
  const sql = sqlClient(t.databaseUrl);
  try {
    const seller = await createActiveSeller(t);
    const listing = await createListing(t, seller, { unitAmount: 10_000 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'lose_response', count: 2 });
    const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' });
    console.log('status', res.status, res.body);
    t.sandbox.control.advance(3 * 86_400);
    await sql.query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE status = 'pending'`);
    console.log('recovered', await t.app.get(RefundRecoveryService).runOnce());
    console.log((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => [r.id, r.metadata]));
  } finally {
    await sql.end();
    await t.close();
  }
});
