// The scheduled webhook backfill (worker role): during an outage of our endpoint the events a
// payment made are brought in by the schedule alone, no admin call, and the order is paid and booked once.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, getOrder, ledgerEntries, payOnHostedPage } from './support/checkout.js';
import { processedEventsAbout } from './support/inbox.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;

beforeAll(async () => {
  t = await startTestApp({ env: { WEBHOOK_BACKFILL_LOOKBACK_S: '3600', WEBHOOK_BACKFILL_EVERY_S: '10' } });
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  t?.sandbox.control.releaseWebhooks();
  await sql?.end();
  await t?.close();
});

describe('scheduled webhook backfill', () => {
  it('events withheld by an outage are inserted by the schedule and worked: the order is paid and booked once', async () => {
    const seller = await createActiveSeller(t);
    const buyer = await createPrincipal(t, 'buyer');
    const listing = await createListing(t, seller, { unitAmount: 7_000 });

    // Stripe cannot reach us: nothing about the payment is delivered
    t.sandbox.control.setWebhookFaults({ outage: true });
    const res = await checkout(t, buyer, [{ listingId: listing, quantity: 1 }]).expect(201);
    const orderId = res.body.orderId as string;
    expect(await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')).toBe(303);
    const delivered = t.sandbox.control.deliveries().length;

    // the schedule (every 10 s here) pages GET /v1/events and the worker pays the order
    const paid = await waitFor(
      async () => {
        const order = await getOrder(t, orderId);
        return order.status === 'paid' && order.chargeId !== null ? order : undefined;
      },
      30_000,
      'order paid from backfilled events',
    );
    expect(t.sandbox.control.deliveries().length).toBe(delivered); // still nothing delivered
    const events = await processedEventsAbout(t, sql, paid.paymentIntentId, ['payment_intent.succeeded', 'charge.succeeded']);
    expect(events.map((e) => e.source)).toEqual(events.map(() => 'backfill'));
    expect(events.map((e) => e.type)).toContain('payment_intent.succeeded');
    expect((await ledgerEntries(t, orderId)).map((e) => e.idempotencyKey)).toEqual([`charge:${paid.chargeId}`]);

    // the outage ends: the late deliveries are duplicates, nothing is booked twice
    t.sandbox.control.releaseWebhooks();
    const after = await processedEventsAbout(t, sql, paid.paymentIntentId, ['payment_intent.succeeded', 'charge.succeeded']);
    expect(after.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect((await ledgerEntries(t, orderId)).map((e) => e.kind)).toEqual(['charge']);
    await expectBooksMatchStripe(t);
  }, 90_000);
});
