// Review 8: an admin gives up on a failed transfer reversal (POST /admin/transfer-reversals/:id/cancel):
// "nothing moves, the platform bears the seller's part of the refund". A's reversal failed for good
// (a Dashboard reversal of A's transfer landed while our call was on its way: Stripe refused ours as
// more than was left), the admin canceled it. The next refund of the order is sized cumulatively
// on what each seller bore before; the canceled part must count as borne (the platform bore it for
// the seller), else the next refund takes it from A after all: A's part of the second refund is
// A's share of that refund (225), not that plus the part the admin gave up (450).
// Real app, real PostgreSQL, the Stripe sandbox (its latency fault); the workers are the test's.
import { DataSource } from 'typeorm';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, madeOrderFundsAvailable, refundOrder, refundSettled, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

afterEach(() => t.sandbox.control.clearFaults());

const rowOf = async (refundId: string, sellerId: string): Promise<{ id: string; status: string; amount: string }> =>
  (
    (await t.app.get(DataSource).query(`SELECT id, status, amount::text AS amount FROM transfer_reversals WHERE refund_id = $1 AND seller_id = $2`, [refundId, sellerId])) as Array<{
      id: string;
      status: string;
      amount: string;
    }>
  )[0]!;

it("a reversal the admin canceled is not taken from the seller again by the order's next refund", async () => {
  const { shop, order } = await madeOrderFundsAvailable(t);
  const aTransfer = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id).stripeTransferId as string;
  // A's reversal call is slow: a Dashboard reversal of 800 of A's transfer lands first
  t.sandbox.control.addFault({ method: 'POST', path: `/v1/transfers/${aTransfer}/reversals`, kind: 'latency', latencyMs: 8_000, count: 1 });
  const first = await refundOrder(t, order.id, { amount: '1000' }).expect(201);
  const worker = t.app.get(TransferReversalSubmissionService).runOnce();
  await waitFor(async () => ((await rowOf(first.body.id, shop.a.id))?.status === 'submitting' ? true : undefined), 10_000, "A's reversal sent");
  await t.stripe.transfers.createReversal(aTransfer, { amount: 800 });
  await worker;
  const aFirst = await rowOf(first.body.id, shop.a.id);
  expect(aFirst).toMatchObject({ status: 'failed', amount: '225' });
  // the admin gives up on it: the platform bears A's 225 of the first refund
  await t.http.post(`/admin/transfer-reversals/${aFirst.id}/cancel`).set(bearer(t.adminKey)).expect(200);
  await drainTransferWorkers(t);

  const second = await refundSettled(t, order.id, { amount: '1000' });
  // A's part of the second refund is A's share of it (failed before: 450, the canceled 225 taken again)
  expect(await rowOf(second.body.id, shop.a.id)).toMatchObject({ amount: '225' });
  expect(await rowOf(second.body.id, shop.b.id)).toMatchObject({ amount: '675', status: 'succeeded' });
  await expectBooksMatchStripe(t);
}, 120_000);
