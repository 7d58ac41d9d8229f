// Review 3 (adversarial): which refund an application-fee refund is booked with.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, ledgerEntries, paidOrder, sumLines, waitForOrder } from './support/checkout.js';
import { inboxSettled } from './support/inbox.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  sql = sqlClient(t.databaseUrl);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
const post = (path: string, body: unknown = {}) => fetch(`${t.sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('review 3: fee-refund matching', () => {
  it("a Dashboard refund without fee refund, made in the same second as a pending API refund, does not take the API refund's fee refund (its share only rounds closer)", async () => {
    const s = await createActiveSeller(t);
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000: the seller nets 9 000
    t.sandbox.control.advance(3 * 86_400);
    await post('/_sandbox/refunds/hold', { count: 1 });
    // the API refund: reversal 2 005 (the destination transfer is the whole charge), fee refund 201 (200.5 rounded), pending at Stripe
    const api = (await refund(order.id, { amount: 2_005 })).body;
    const apiRow = (await sql.query<{ id: string; re: string }>(`SELECT id, stripe_refund_id AS re FROM refunds WHERE order_id = $1 AND source = 'api'`, [order.id]))[0]!;
    // the Dashboard: reverse the transfer, no fee refund (its share, 201, is exactly the API refund's fee refund)
    const dash = await t.stripe.refunds.create({ charge: order.chargeId, amount: 2_010, reverse_transfer: true });
    await inboxSettled(t, sql);
    expect((await post(`/_sandbox/refunds/${apiRow.re}/succeed`)).status).toBe(200);
    await inboxSettled(t, sql);
    const o = await waitForOrder(t, order.id, (x) => x.refunds.length === 2 && x.refunds.every((r: { status: string }) => r.status === 'succeeded'), 'both refunds succeeded');
    expect(api.id ?? apiRow.id).toBe(apiRow.id);
    void o;
    // then the Dashboard refund fails at Stripe: the seller is given back all it took from them (its 2 010 reversal; it refunded no fee)
    expect((await post(`/_sandbox/refunds/${dash.id}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (x) => x.refunds.find((r: { stripeRefundId: string }) => r.stripeRefundId === dash.id)?.failureReturn?.status === 'returned', 'failed Dashboard refund returned');
    await inboxSettled(t, sql);
    await expectBooksMatchStripe(t);
    const rows = await sql.query<{ re: string; fee: string }>(`SELECT stripe_refund_id AS re, application_fee_refund::text AS fee FROM refunds WHERE order_id = $1 ORDER BY amount`, [order.id]);
    const entries = await ledgerEntries(t, order.id);
    expect({
      fees: rows.map((r) => [r.re, r.fee]),
      // the seller bears the API refund only: 2 005 reversed less its 201 fee refund
      connectedCash: sumLines(entries, 'connected_cash_available', s.id) + sumLines(entries, 'connected_cash_pending', s.id),
      refunded: (await waitForOrder(t, order.id, () => true, 'order')).amountRefunded,
    }).toEqual({
      fees: [
        [apiRow.re, '201'],
        [dash.id, '0'],
      ],
      connectedCash: 9_000n - 1_804n,
      refunded: '2005',
    });
  });
});
