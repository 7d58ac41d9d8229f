// Review of 4eb983a: Stripe made the refund but its facts (the charge, the fee refunds, the
// reversal's seller side) could not be read before the settling transaction. The caller is told
// what the refund's other unknown outcomes tell it (503 REFUNDS.PAYMENT_PROVIDER_FAILED with the
// refund's id: it stays on record and is finished from what Stripe reports), never a bare 500
// INTERNAL; the refund is settled by the recovery once Stripe answers, made once.
import { DataSource } from 'typeorm';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, paidOrder } from './support/checkout.js';
import { refundOrder, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYMENTS_WORKER_POLL_MS: '60000', STRIPE_MAX_RETRIES: '0' });
afterEach(async () => {
  t.sandbox.control.clearFaults();
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
});

describe('a refund Stripe made whose charge cannot be read', () => {
  it('answers 503 REFUNDS.PAYMENT_PROVIDER_FAILED naming the refund, and the recovery settles it later', async () => {
    const listing = await createListing(t, await createActiveSeller(t), { unitAmount: 10_000 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/charges/*', kind: 'error_500', count: 100 });
    const res = await refundOrder(t, order.id, { amount: '1000' });
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'REFUNDS.PAYMENT_PROVIDER_FAILED', details: { refundId: expect.any(String) } });
    const refundId = res.body.error.details.refundId as string;
    expect((await getOrder(t, order.id)).refunds[0]).toMatchObject({ id: refundId, status: 'pending' });

    t.sandbox.control.clearFaults();
    await t.app.get(DataSource).query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [refundId]);
    await t.app.get(RefundRecoveryService).runOnce();
    expect(await getOrder(t, order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data).toHaveLength(1);
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});
