// Past 23 h Stripe may have forgotten an idempotency key: the payments worker looks refunds and
// failed-refund returns up by metadata instead of making them again.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, ledgerEntries, paidOrder, waitForOrder } from './support/checkout.js';
import { processedEventsAbout } from './support/inbox.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
afterEach(async () => {
  t.sandbox.control.clearFaults();
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
});

const refund = (orderId: string, body: Record<string, unknown>) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
const loseResponses = (path: string) => t.sandbox.control.addFault({ method: 'POST', path, kind: 'lose_response', count: 100 });
const refundReturnTransfers = async (orderId: string, refundId: string) =>
  (await t.stripe.transfers.list({ transfer_group: orderId, limit: 100 })).data.filter((tr) => tr.metadata?.refund_id === refundId);

describe('refund recovery past 23 h', () => {
  it('a refund stranded pending for 25 h is found at Stripe by metadata.refund_id, not made a second time', async () => {
    const order = await paidOrder(t, buyer, listing);
    // Stripe makes the refund but every answer is lost, and no webhook tells us (an outage)
    t.sandbox.control.setWebhookFaults({ outage: true });
    loseResponses('/v1/refunds');
    const res = await refund(order.id, { amount: 1_000 });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const stranded = await sql.one<{ id: string; status: string; stripe_refund_id: string | null }>(`SELECT id, status, stripe_refund_id FROM refunds WHERE order_id = $1`, [order.id]);
    expect(stranded).toMatchObject({ status: 'pending', stripe_refund_id: null });
    const atStripe = (await t.stripe.refunds.list({ charge: order.chargeId })).data;
    expect(atStripe.map((r) => r.metadata?.refund_id)).toEqual([stranded.id]);
    t.sandbox.control.clearFaults();

    // noticed a day later: Stripe has forgotten the key `refund:<id>`, a retry would refund again
    t.sandbox.control.advance(25 * 3600);
    await sql.query(`UPDATE refunds SET created_at = now() - interval '25 hours', updated_at = now() - interval '25 hours' WHERE id = $1`, [stranded.id]);

    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'stranded refund found and settled');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect(settled.refunds[0]).toMatchObject({ id: stranded.id, stripeRefundId: atStripe[0]!.id, amount: '1000', applicationFeeRefund: '100' });
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data.map((r) => r.id)).toEqual([atStripe[0]!.id]);
    expect((await ledgerEntries(t, order.id)).map((e) => e.idempotencyKey)).toEqual([`charge:${order.chargeId}`, `refund:${atStripe[0]!.id}`]);

    // the withheld webhooks arrive after all: worked, nothing doubled
    t.sandbox.control.releaseWebhooks();
    const events = await processedEventsAbout(t, sql, order.chargeId, ['charge.refunded', 'refund.updated', 'charge.refund.updated']);
    expect(events.some((e) => e.type === 'charge.refunded')).toBe(true);
    expect(await sql.query(`SELECT id FROM refunds WHERE order_id = $1`, [order.id])).toEqual([{ id: stranded.id }]);
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge', 'refund']);
    await expectBooksMatchStripe(t);
  });
});

describe('failed-refund return past 23 h', () => {
  it('a return transfer made but not recorded is found by metadata.refund_id after Stripe forgot its key, not sent twice', async () => {
    const order = await paidOrder(t, buyer, listing);
    const made = await refund(order.id, { amount: 4_000 }).expect(201);
    expect(made.body).toMatchObject({ status: 'succeeded', applicationFeeRefund: '400' });
    // the return draws on the platform's available balance: let the charge's funds become available
    t.sandbox.control.advance(3 * 86_400);

    // Stripe fails the refund; the worker's return transfer is made at Stripe but every answer is lost
    loseResponses('/v1/transfers');
    t.sandbox.control.failRefund(made.body.stripeRefundId);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'failed' && o.status === 'paid', 'refund failure undone');
    // the worker recorded the unknown outcome and waits before trying again (not its claim's lease)
    await waitFor(
      async () =>
        (
          await sql.query(
            `SELECT id FROM refunds WHERE id = $1 AND failure_return_status = 'pending' AND failure_return_next_attempt_at IS NOT NULL AND failure_return_next_attempt_at < now() + interval '60 seconds'`,
            [made.body.id],
          )
        ).length === 1
          ? true
          : undefined,
      15_000,
      'return attempted, its answer lost',
    );
    const [sent, ...more] = await refundReturnTransfers(order.id, made.body.id);
    expect(more).toEqual([]);
    expect(sent).toMatchObject({ amount: 3_600, destination: seller.account });
    t.sandbox.control.clearFaults();

    // noticed a day later: the key `refund-failed-return:<id>` is gone at Stripe
    t.sandbox.control.advance(25 * 3600);
    await sql.query(`UPDATE refunds SET created_at = now() - interval '25 hours', failure_return_next_attempt_at = now() WHERE id = $1`, [made.body.id]);

    const returned = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'seller share returned');
    expect(returned.refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600', transferId: sent!.id, errorCode: null });
    expect((await refundReturnTransfers(order.id, made.body.id)).map((tr) => tr.id)).toEqual([sent!.id]);
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed', 'transfer']);
    expect(entries[3]!.idempotencyKey).toBe(`transfer:${sent!.id}`);
    await expectBooksMatchStripe(t);
  });
});
