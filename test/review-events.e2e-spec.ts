// Review (adversarial): events processed again or interleaved with API calls.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, paidOrder, waitForOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
afterAll(async () => {
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>, key: string = randomUUID()) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

async function replayAndWait(eventId: string) {
  // a replay puts the event back to pending with no attempts (synchronously): wait for it to be worked again
  await t.http.post(`/admin/webhook-events/${eventId}/replay`).set(bearer(t.adminKey)).send().expect(200);
  return waitFor(
    async () => {
      const row = (await t.http.get(`/admin/webhook-events/${eventId}`).set(bearer(t.adminKey)).expect(200)).body;
      return row.attempts >= 1 && row.status !== 'pending' && row.status !== 'processing' ? row : undefined;
    },
    15_000,
    'replayed event attempted',
  );
}

describe('review: events again, in another order', () => {
  it('a payment event processed again after the funds became available succeeds (charge:<ch> is the same entry)', async () => {
    const order = await paidOrder(t, buyer, listing);
    await expectBooksMatchStripe(t); // the clock passes available_on: the charge's txns are now `available` at Stripe
    const events = (await t.stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 })).data.filter((e) => (e.data.object as { id: string }).id === order.paymentIntentId);
    expect(events).toHaveLength(1);
    // e.g. the late twin of checkout.session.completed, a backfill from GET /v1/events, or an admin replay:
    // markPaid re-reads the charge, now `available`, builds cash lines on *_available instead of *_pending,
    // and LedgerService.post's sameEntry sees other lines under `charge:<ch>`: LEDGER.IDEMPOTENCY_KEY_REUSED, forever
    const row = await replayAndWait(events[0]!.id);
    expect({ status: row.status, lastError: row.lastError }).toEqual({ status: 'processed', lastError: null });
  });

  it('a Dashboard refund interleaved with an API refund: each refund books its own fee refund, and a failed API refund returns the seller all it took', async () => {
    const order = await paidOrder(t, buyer, listing); // 10 000, application fee 1 000
    t.sandbox.control.setWebhookFaults({ outage: true });
    let api: { id: string; stripeRefundId: string; applicationFeeRefund: string };
    let dashboard: { id: string };
    try {
      // someone refunds 2 000 in the Dashboard (fee refund 200); its charge.refunded is not processed yet
      dashboard = await t.stripe.refunds.create({ charge: order.chargeId, amount: 2_000, reverse_transfer: true, refund_application_fee: true });
      // the API refunds 4 000 (fee refund 400): its settlement books every fee refund "not in the ledger yet", the Dashboard's too
      api = (await refund(order.id, { amount: 4_000 }).expect(201)).body;
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    const synced = await waitForOrder(t, order.id, (o) => o.refunds.length === 2 && o.refunds.every((r: { status: string }) => r.status === 'succeeded'), 'both refunds recorded');
    const dash = synced.refunds.find((r: { stripeRefundId: string }) => r.stripeRefundId === dashboard.id);
    // the API refund fails at Stripe after success; Stripe keeps its reversal (4 000) and its fee refund (400):
    // the seller bore 3 600 for it and must get 3 600 back
    t.sandbox.control.advance(3 * 86_400);
    const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${api.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    const back = await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === api.id)?.failureReturn?.status === 'returned', 'seller share returned');
    const returned = back.refunds.find((r: { id: string }) => r.id === api.id).failureReturn;
    expect({ apiFeeRefund: api.applicationFeeRefund, dashboardFeeRefund: dash.applicationFeeRefund, returnedToSeller: returned.amount }).toEqual({
      apiFeeRefund: '400',
      dashboardFeeRefund: '200',
      returnedToSeller: '3600',
    });
    await expectBooksMatchStripe(t);
    expect((await getOrder(t, order.id)).amountRefunded).toBe('2000');
  });
});
