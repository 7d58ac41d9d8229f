// Review 8: an admin cancel of a transfer whose Stripe call is on its way (the worker's claim lease
// still running: the call may still land), accepted because the seller cannot receive transfers in
// our books. A refund of the order then takes the seller's part as a lowering of the canceled row
// (a canceled row counts as never sent), and the call lands: Stripe made the whole share. Nothing
// reverses the seller's part: the seller keeps the refund's part, the platform bears it, and the row
// says a lower amount than Stripe moved. The seller must end with their share less their part of
// the refund, the row as Stripe made it, the books matching Stripe.
// With the default lease the cancel is refused while the call is on its way (fixed). With a lease the
// call outlives (1 s), the cancel is accepted once it ran out; the refund's part of a row canceled
// after its key was sent is then a reversal, not a lowering (Stripe may still make the transfer
// until it forgets the key, 24 h): made when the call lands, it is reversed as any (fixed; failed
// before: B kept 2700).
// Real app, real PostgreSQL, the Stripe sandbox (its latency fault); the workers are the test's.
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import type { TestApp } from './support/test-app.js';
import { connectedBalance, drainTransferWorkers, fundsAvailable, manualPayoutShop, refundOrder, stripeTransfersOf, testAppForFile, transfersOnTheirWay } from './support/transfers.js';
import { DataSource } from 'typeorm';

const ENV = { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000', STRIPE_TIMEOUT_MS: '60000' };

const leaseRanOut = async (t: TestApp, transferId: string): Promise<boolean> =>
  ((await t.app.get(DataSource).query(`SELECT next_attempt_at <= now() AS out FROM transfers WHERE id = $1`, [transferId])) as Array<{ out: boolean }>)[0]?.out === true;

async function cancelInFlightThenRefund(t: TestApp, leaseRunsOut: boolean): Promise<void> {
  const shop = await manualPayoutShop(t);
  const { order, workerA, bRow, bActive } = await transfersOnTheirWay(t, shop, 25_000);
  try {
    // its worker's call is on its way (the lease runs): whatever the answer, it must not cost money
    if (leaseRunsOut) await waitFor(async () => ((await leaseRanOut(t, bRow.id)) ? true : undefined), 10_000, "worker A's lease ran out");
    const cancel = await t.http.post(`/admin/transfers/${bRow.id}/cancel`).set(bearer(t.adminKey));
    expect([200, 409]).toContain(cancel.status);
  } finally {
    t.sandbox.control.releaseWebhooks();
  }
  await bActive(true);
  // a refund of 400 while B's call is still on its way (both whole shares still fit in the charge): A's part 90, B's 270
  await refundOrder(t, order.id, { amount: '400' }).expect(201);
  await workerA; // both calls land: Stripe made both whole shares
  await t.sandbox.control.webhooksIdle();
  await drainTransferWorkers(t);
  await fundsAvailable(t);

  const atStripe = await stripeTransfersOf(t, order.id);
  const net = (account: string) => atStripe.filter((x) => x.destination === account).reduce((s, x) => s + x.amount - x.amount_reversed, 0);
  // each seller bears their part of the refund (failed before: B kept 2700, nothing reversed their 270)
  expect({ a: net(shop.a.account), b: net(shop.b.account) }).toEqual({ a: 810, b: 2430 });
  expect(await connectedBalance(t, shop.b.account)).toBe(2430);
  const rows = (await getOrder(t, order.id)).transfers.filter((x: { kind: string }) => x.kind === 'order');
  // each row says what Stripe moved for it
  for (const row of rows) expect(BigInt(row.amount)).toBe(BigInt(atStripe.find((x) => x.id === row.stripeTransferId)?.amount ?? -1));
  await expectBooksMatchStripe(t);
}

describe('an admin cancel of a transfer whose call is on its way (the default lease: the call stays within it), then a refund, then the call lands', () => {
  const t = testAppForFile(ENV);
  afterEach(() => t.sandbox.control.clearFaults());
  it("takes the seller's part of the refund all the same: the seller keeps their share less it, the books match Stripe", () => cancelInFlightThenRefund(t, false), 150_000);
});

describe('the same with a call that outlives its lease (1 s), the cancel made once the lease ran out', () => {
  const t = testAppForFile({ ...ENV, TRANSFERS_CLAIM_LEASE_SECONDS: '1' });
  afterEach(() => t.sandbox.control.clearFaults());
  it("takes the seller's part of the refund all the same: the seller keeps their share less it, the books match Stripe", () => cancelInFlightThenRefund(t, true), 150_000);
});
