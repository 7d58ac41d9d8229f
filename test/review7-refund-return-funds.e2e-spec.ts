// Review 7: a failed multi-seller refund's return transfer (a `refund_return` row) refused for want
// of platform funds (balance_insufficient: the charge's funds still pending) waits; balance.available
// must make it due at once, as it does the reversals and the single-seller return, not leave it for
// its growing retry delay (up to an hour).
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, waitForOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

it("both transfers lowered (A 900 -> 675, B 2700 -> 2025) and sent, the refund fails: the returns (225, 675) wait for the platform's funds, and go out as soon as balance.available says they are there", async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  const made = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
  await drainTransferWorkers(t);
  expect((await stripeTransfersOf(t, order.id)).map((x) => x.amount).sort((x, y) => x - y)).toEqual([675, 2025]);

  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === made.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  await drainTransferWorkers(t);
  const waiting: Array<{ status: string; failure_code: string | null }> = await t.app
    .get(DataSource)
    .query(`SELECT status, failure_code FROM transfers WHERE order_id = $1 AND kind = 'refund_return'`, [order.id]);
  expect(waiting).toEqual([
    { status: 'pending', failure_code: 'balance_insufficient' },
    { status: 'pending', failure_code: 'balance_insufficient' },
  ]);

  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  // well within the row's retry delay (30 s at least): only balance.available can make it due this soon
  const returned = await waitFor(
    async () => {
      await t.app.get(TransferSubmissionService).runOnce();
      const xs = (await stripeTransfersOf(t, order.id)).filter((x) => x.metadata.reason === 'refund_failed');
      return xs.length === 2 ? xs : undefined;
    },
    10_000,
    'the return made once the funds are available',
  );
  expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
    [
      [shop.a.account, 225],
      [shop.b.account, 675],
    ].sort(),
  );
  const rows = (await getOrder(t, order.id)).transfers.filter((x: { kind: string }) => x.kind === 'refund_return');
  expect(rows.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);
  await expectBooksMatchStripe(t);
});
