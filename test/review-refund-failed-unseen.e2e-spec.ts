// Review (adversarial): a refund that Stripe made and then failed before we booked it as succeeded.
// Stripe keeps its transfer reversal and its application-fee refund (sandbox README, as Stripe does),
// but RefundSettlementService.settle marks a pending row `failed` and books nothing, and
// RefundEventsHandler skips an external refund that is not `succeeded`: the reversal and the fee
// refund are never booked and the seller's share is never sent back.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
afterAll(async () => {
  await t?.close();
});

const failAtStripe = async (re: string) => {
  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${re}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
};

describe('review: a refund failed at Stripe before we saw it succeed', () => {
  it('an API refund whose answer was lost: the reversal and fee refund Stripe kept are booked and the seller gets their share back', async () => {
    const order = await paidOrder(t, buyer, listing);
    t.sandbox.control.advance(3 * 86_400);
    await t.sandbox.control.webhooksIdle();
    t.sandbox.control.setWebhookFaults({ outage: true });
    try {
      // Stripe makes the refund, both answers (the SDK retries once with the same key) are lost
      t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'lose_response', count: 8 });
      const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: 4_000 });
      expect(res.status).toBeGreaterThanOrEqual(500);
      t.sandbox.control.clearFaults();
      const [made] = (await t.stripe.refunds.list({ charge: order.chargeId, limit: 100 })).data;
      expect(made).toMatchObject({ status: 'succeeded', amount: 4_000 });
      await failAtStripe(made!.id);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    const after = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'failed', 'refund failed');
    await t.sandbox.control.webhooksIdle();
    // Stripe kept the reversal (4 000) and the fee refund (400): 3 600 of the seller's money sits on the platform
    expect(after.refunds[0].failureReturn?.status ?? 'none').not.toBe('none');
    await expectBooksMatchStripe(t);
  });

  it('a Dashboard refund that failed before its webhook was processed: its reversal and fee refund are booked', async () => {
    const order = await paidOrder(t, buyer, listing);
    t.sandbox.control.advance(3 * 86_400);
    await t.sandbox.control.webhooksIdle();
    t.sandbox.control.setWebhookFaults({ outage: true });
    try {
      const made = await t.stripe.refunds.create({ charge: order.chargeId, amount: 4_000, reverse_transfer: true, refund_application_fee: true });
      await failAtStripe(made.id);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await t.sandbox.control.webhooksIdle();
    await expectBooksMatchStripe(t);
  });
});
