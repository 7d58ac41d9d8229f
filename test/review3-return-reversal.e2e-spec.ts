// Review 3 (adversarial): the refund's return-transfer reversal (one a round) racing the refund's failure.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { inboxSettled } from './support/inbox.js';
import { waitFor } from './support/process.js';
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
afterEach(async () => {
  t.sandbox.control.clearFaults();
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
});

const refund = (orderId: string, body: Record<string, unknown>) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
const post = (path: string, body: unknown = {}) => fetch(`${t.sandbox.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function manualSeller(): Promise<ActiveSeller> {
  const s = await createActiveSeller(t);
  await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  return s;
}

describe('review 3: return reversal vs. a failing refund', () => {
  it('a return reversal Stripe made but whose answer was lost, then the refund fails: the reversal is booked and given back, not orphaned', async () => {
    const s = await manualSeller();
    const listing = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, listing); // 10 000, fee 1 000
    t.sandbox.control.advance(3 * 86_400);
    const first = (await refund(order.id, { amount: 4_000 }).expect(201)).body;
    expect((await post(`/_sandbox/refunds/${first.stripeRefundId}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'first refund failed and its 3 600 returned');
    // every answer to a transfer reversal is lost: Stripe makes the return reversal, the worker never learns it
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'lose_response', count: 1_000 });
    const full = (await refund(order.id, { full: true }).expect(201)).body;
    await waitFor(
      async () => {
        const rows = await sql.query<{ n: number }>(`SELECT return_reversal_attempts AS n FROM refunds WHERE id = $1`, [full.id]);
        return Number(rows[0]?.n ?? 0) >= 1 ? true : undefined;
      },
      30_000,
      'a return reversal attempt',
    );
    // the refund fails at Stripe before the worker records its reversal
    expect((await post(`/_sandbox/refunds/${full.stripeRefundId}/fail`)).status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === full.id)?.status === 'failed', 'second refund failed');
    t.sandbox.control.clearFaults();
    await waitForOrder(t, order.id, (o) => ['returned', undefined, null].includes(o.refunds.find((r: { id: string }) => r.id === full.id)?.failureReturn?.status), 'failure return settled');
    await inboxSettled(t, sql);
    await new Promise((r) => setTimeout(r, 2_000));
    // the 3 600 Stripe took from the seller's return transfer is neither booked nor given back
    await expectBooksMatchStripe(t);
  });
});
