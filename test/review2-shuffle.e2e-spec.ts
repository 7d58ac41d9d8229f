// Review 2 (adversarial): every webhook duplicated and shuffled through a dispute, a refund, a failure and payouts.
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

const post = (path: string, body: unknown = {}) => fetch(`${t.sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('review 2: duplicated and shuffled webhooks', () => {
  it('dispute won, a refund after the return that then fails: books match, nothing dead, and the seller gets back the return reversal of the failed refund', async () => {
    t.sandbox.control.setWebhookFaults({ duplicate: 2, shuffle: true });
    const s = await createActiveSeller(t);
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const listing = await createListing(t, s, { unitAmount: 8_000 });
    const paid = await paidOrder(t, buyer, listing, 1, '4000000000000259');
    const order = await waitForOrder(t, paid.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'recovered');
    expect((await post(`/_sandbox/disputes/${order.disputes[0].stripeDisputeId}/close`, { outcome: 'won' })).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.disputes[0]?.recoveryStatus === 'returned', 'returned');
    t.sandbox.control.advance(3 * 86_400);
    const r = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: 3_000 }).expect(201);
    await waitForOrder(t, order.id, (o) => ['reversed', 'failed', 'none'].includes(o.refunds[0]?.returnReversal?.status), 'return reversal settled');
    expect((await post(`/_sandbox/refunds/${r.body.stripeRefundId}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'failed', 'refund failed');
    await inboxSettled(t, sql);
    await expectBooksMatchStripe(t);
    await inboxSettled(t, sql);
    const dead = await sql.query(`SELECT type, last_error FROM webhook_events WHERE status = 'dead' OR last_error IS NOT NULL`);
    expect(dead).toEqual([]);
    const entries = await ledgerEntries(t, order.id);
    for (const e of entries) expect(e.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n)).toBe(0n);
    // the refund failed: no refund stands, so the seller holds (and is owed) the 7 200 they netted, and the platform
    // took nothing from them. The return reversal (2 700) taken for the failed refund is never given back.
    const seller = {
      payable: -(sumLines(entries, 'seller_payable_available', s.id) + sumLines(entries, 'seller_payable_pending', s.id)),
      connectedCash: sumLines(entries, 'connected_cash_available', s.id) + sumLines(entries, 'connected_cash_pending', s.id),
      refundLosses: sumLines(entries, 'refund_losses'),
    };
    expect(seller).toEqual({ payable: 7_200n, connectedCash: 7_200n, refundLosses: 0n });
  }, 60_000);
});
