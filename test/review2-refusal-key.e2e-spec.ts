// Review 2 (adversarial): a balance_insufficient refusal is saved under the idempotency key (Stripe: "saving
// the resulting status code and body of the first request ... regardless of whether it succeeds or fails");
// a retry with the same key gets the same refusal back, whatever funds came since, for 24 h.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);

describe('review 2: waiting for funds with the same Stripe key', () => {
  it("a failed refund's return refused for want of funds is made once the platform has the funds (balance.available), not refused again from Stripe's saved answer for a day", async () => {
    const s = await createActiveSeller(t);
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing);
    const made = (await refund(order.id, { amount: 4_000 }).expect(201)).body;
    const o2 = await paidOrder(t, buyer, listing);
    await refund(o2.id, { amount: 1_000 }).expect(201);
    expect((await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    const waiting = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.errorCode === 'balance_insufficient', 'return refused for want of funds');
    const attemptsBefore = waiting.refunds[0].failureReturn.attempts as number;
    // the platform gets funds available at once (a two-seller cart, its transfers held on the platform): balance.available
    const s2 = await createActiveSeller(t);
    const l2 = await createListing(t, s2, { unitAmount: 30_000 });
    const cart = await t.http
      .post('/checkout')
      .set(bearer(buyer.key))
      .set('Idempotency-Key', randomUUID())
      .send({
        items: [
          { listingId: listing, quantity: 1 },
          { listingId: l2, quantity: 1 },
        ],
        holdDays: 7, // else its transfers (source_transaction: at once) take the sellers' shares out again
      });
    expect(cart.status).toBe(201);
    expect(await payOnHostedPage(cart.body.checkoutUrl, '4000000000000077')).toBe(303);
    await waitForOrder(t, cart.body.orderId, (o) => o.status === 'paid', 'cart paid');
    const platform = await t.stripe.balance.retrieve();
    expect(platform.available.find((b) => b.currency === 'usd')!.amount).toBeGreaterThan(3_600); // Stripe would make the transfer now
    // the worker tries again (balance.available made the row due) ... and gets the saved refusal of key refund-failed-return:<id>
    await waitFor(
      async () => ((await waitForOrder(t, order.id, () => true, 'order')).refunds[0].failureReturn.attempts > attemptsBefore ? true : undefined),
      15_000,
      'return retried after the funds came',
    );
    const after = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'seller share returned').catch(async (e: Error) => {
      throw new Error(`${e.message.slice(0, 200)}... failureReturn: ${JSON.stringify((await waitForOrder(t, order.id, () => true, 'order')).refunds[0].failureReturn)}`);
    });
    expect(after.refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600' });
    await expectBooksMatchStripe(t);
  }, 60_000);
});
