// Review of 4eb983a: the recovery worker's read of a held refund catches every error and tries again
// next round (the refund exists at Stripe: it is never refused from there). It must not be silent:
// a read or a settling that keeps failing (Stripe down for the charge's reads, a bug in booking)
// leaves the refund pending and the order unrefundable, and the operator needs the reason in the logs.
import { PassThrough } from 'node:stream';
import { DataSource } from 'typeorm';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, paidOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { refundOrder } from './support/transfers.js';

let t: TestApp;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const logs = new PassThrough();
  let partial = '';
  logs.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '60000', STRIPE_MAX_RETRIES: '0' }, logDestination: logs, logLevel: 'warn' });
});
afterAll(async () => {
  await t?.close();
});

describe("the recovery's read of a held refund failing", () => {
  it('is logged with the refund, the refund stays pending and is settled once Stripe answers again', async () => {
    const listing = await createListing(t, await createActiveSeller(t), { unitAmount: 10_000 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.holdRefunds(1);
    const held = (await refundOrder(t, order.id, { amount: '1000' }).expect(201)).body as { id: string; stripeRefundId: string; status: string };
    t.sandbox.control.holdRefunds(0);
    expect(held.status).toBe('pending');
    t.sandbox.control.succeedRefund(held.stripeRefundId);

    // the charge cannot be read: the refund's facts are incomplete, the round fails
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/charges/*', kind: 'error_500', count: 100 });
    const recover = async () => {
      await t.app.get(DataSource).query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [held.id]);
      return t.app.get(RefundRecoveryService).runOnce();
    };
    expect(await recover()).toBe(0);
    expect((await getOrder(t, order.id)).refunds[0]).toMatchObject({ id: held.id, status: 'pending' });
    const logged = lines.filter((l) => l.component === 'refund-recovery' && l.refundId === held.id);
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', stripeRefundId: held.stripeRefundId, err: expect.objectContaining({ message: expect.any(String) }) })]);

    t.sandbox.control.clearFaults();
    expect(await recover()).toBe(1);
    expect((await getOrder(t, order.id)).refunds[0]).toMatchObject({ id: held.id, status: 'succeeded' });
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});
