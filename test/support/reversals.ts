import { DataSource } from 'typeorm';
import { RefundFailureReturnService } from '../../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { TransferReversalSubmissionService } from '../../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../../apps/marketplace/src/transfers/transfer-submission.service.js';
import { waitForOrder } from './checkout.js';
import { waitFor } from './process.js';
import type { TestApp } from './test-app.js';
import { twoSellerShop, type TwoSellerShop } from './transfers.js';

/** Runs the transfers, reversals and failed-refund-return workers until none has anything due. */
export async function drainTransferWorkers(t: TestApp): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  const returns = t.app.get(RefundFailureReturnService);
  for (let i = 0; i < 50; i++) {
    const worked = (await returns.runOnce()) + (await transfers.runOnce()) + (await reversals.runOnce());
    if (worked === 0) return;
  }
  throw new Error('workers never drained');
}

/** Moves the sandbox clock past the funds' availability and drains until no reversal waits for funds any more. */
export async function fundsAvailable(t: TestApp): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitFor(
    async () => {
      await drainTransferWorkers(t);
      const [row]: Array<{ n: number }> = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM transfer_reversals WHERE status IN ('pending', 'submitting')`);
      return row!.n === 0 ? true : undefined;
    },
    20_000,
    'no reversal waiting for funds',
  );
}

/** Two sellers on manual payouts: their connected balances keep everything they were sent. */
export async function manualPayoutShop(t: TestApp): Promise<TwoSellerShop> {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  return shop;
}

/** Stripe fails the refund (the card was closed); the failure is recorded from its webhooks. */
export async function failRefundAtStripe(t: TestApp, orderId: string, refundId: string, stripeRefundId: string): Promise<void> {
  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 200) throw new Error(`the sandbox answered ${res.status} to failing ${stripeRefundId}`);
  await waitForOrder(t, orderId, (o) => o.refunds.find((r: { id: string }) => r.id === refundId)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
}

/** A seller's whole connected balance at Stripe (available + pending) in one currency. */
export async function connectedBalance(t: TestApp, account: string, currency = 'usd'): Promise<number> {
  const b = await t.stripe.balance.retrieve({}, { stripeAccount: account });
  const sum = (xs: Array<{ currency: string; amount: number }>) => xs.filter((x) => x.currency === currency).reduce((s, x) => s + x.amount, 0);
  return sum(b.available) + sum(b.pending);
}
