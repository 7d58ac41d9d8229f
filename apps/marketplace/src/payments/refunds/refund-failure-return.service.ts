import { idempotencyKeyMayBeForgotten, StripeGateway } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../../common/logger.js';
import { LEDGER_ENTRY_KINDS, LedgerService, transferLines } from '../../ledger/index.js';
import { RefundReversalsPlanner } from '../../transfers/index.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { Refund } from './refund.entity.js';
import { RefundsRepository } from './refunds.repository.js';
import { attemptKey, finalRefusal, refusalOf, retryDelaySeconds, waitsForFunds } from './stripe-refusal.js';

// how long a multi-seller failed refund's return waits for a reversal in flight before looking again
const IN_FLIGHT_WAIT_SECONDS = 15;

/**
 * Gives the seller back what a refund took from them when Stripe fails that refund after it
 * succeeded (RefundSettlementService.undoFailed records the intent `failure_return_status =
 * pending` with the amount: transfer reversal - application fee refund). Stripe keeps the transfer
 * reversal and the fee refund, so that share sits in the platform's available balance while our
 * books owe it to the seller again: a transfer to the seller's account, outside any transaction,
 * key `refund-failed-return:<refundId>`, no source_transaction (the charge's transfers would exceed
 * it). Booked as cash moving from the platform's Stripe balance to the seller's (`transfer:<tr>`);
 * the seller's payable does not change (the refund failure already owes it to them again).
 * While the charge's funds are still pending the platform's available balance may not cover it:
 * Stripe refuses with `balance_insufficient`, which waits for funds (retried with a growing delay,
 * and at once after balance.available: PaymentsFundsAvailableHandler); only a refusal that cannot
 * clear by waiting is final (`failed`). Either way Stripe's code and message stay on the row.
 */
@Injectable()
export class RefundFailureReturnService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly refunds: RefundsRepository,
    private readonly reversals: RefundReversalsPlanner,
  ) {}

  /** Works the returns that are due; returns how many it finished. */
  async runOnce(limit = 20): Promise<number> {
    const due = await this.refunds.claimDue('failure_return', limit);
    let done = 0;
    for (const refund of due) {
      try {
        await this.giveBack(refund);
        done++;
      } catch (error) {
        await this.recordError(refund, error);
      }
    }
    return done;
  }

  private async giveBack(refund: Refund): Promise<void> {
    const orderId = refund.orderId;
    const [order]: Array<{ charge_type: string }> = await this.db.query(`SELECT charge_type FROM orders WHERE id = $1`, [orderId]);
    if (order?.charge_type !== 'destination') return this.giveBackToSellers(refund);
    // the seller the refund was booked against (RefundSettlementService.book: single-seller orders)
    const [seller] = await this.orders.sellersOf(this.db.manager, orderId);
    if (!seller) throw new Error(`order ${orderId} has no seller to return refund ${refund.id}'s share to`);
    // The intent dates from the failure, which is later than the refund's creation: past ~23 h
    // from creation Stripe may have forgotten the key, so find a transfer made earlier first.
    const earlier = idempotencyKeyMayBeForgotten(refund.createdAt) ? (await this.gateway.listTransfers({ transferGroup: orderId })).find((t) => t.metadata.refund_id === refund.id) : undefined;
    // the amount was booked from Stripe's reversal and fee refund, in the currency Stripe settled
    // them in (a EUR order on a USD platform: USD): the transfer goes in that currency
    const booked = (await this.ledger.entriesByReference('order', orderId)).find((e) => e.idempotencyKey === `refund:${refund.stripeRefundId}`);
    const currency = booked?.lines[0]?.currency ?? refund.currency;
    const transfer =
      earlier ??
      (await this.gateway.createTransfer(
        {
          amount: refund.failureReturnAmount!,
          currency,
          destination: seller.stripeAccountId,
          transferGroup: orderId,
          metadata: { refund_id: refund.id, order_id: orderId, reason: 'refund_failed' },
        },
        attemptKey('refund-failed-return', refund.id, refund.failureReturnKeyGeneration),
      ));
    // both sides of the transfer, as Stripe booked them: cash moves from the platform's balance to the seller's
    const onSeller = transfer.destinationPaymentId ? await this.gateway.retrieveDestinationPaymentTransaction(transfer.destinationPaymentId, seller.stripeAccountId) : null;
    if (!transfer.balanceTransaction || !onSeller) throw new Error(`transfer ${transfer.id} was not read on both balances`);
    // the outcome, once: a concurrent or repeated round finds it no longer pending
    await this.db.transaction(async (tx) => {
      const moved = await this.refunds.transition(
        tx,
        refund.id,
        { failureReturn: 'returned' },
        { failureReturnTransferId: transfer.id, failureReturnNextAttemptAt: null, failureReturnAttempts: () => 'failure_return_attempts + 1', failureReturnErrorCode: null, failureReturnError: null },
      );
      if (!moved) return;
      // a later refund's return reversal waiting for this return can be planned now
      await tx.query(`UPDATE refunds SET return_reversal_next_attempt_at = now() WHERE order_id = $1 AND return_reversal_status = 'pending'`, [orderId]);
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.transfer,
        reference: { type: 'order', id: orderId },
        idempotencyKey: `transfer:${transfer.id}`,
        description: `Refund ${refund.id} failed at Stripe: the seller's share returned by transfer ${transfer.id}`,
        lines: transferLines({
          seller: { kind: 'connected', sellerId: seller.sellerId, account: seller.stripeAccountId },
          transfer: { objectId: transfer.id, txn: transfer.balanceTransaction! },
          payment: { objectId: transfer.destinationPaymentId!, txn: onSeller },
        }),
      });
    });
  }

  /**
   * A multi-seller order: each seller gets back what the refund took from them (their lowering, a
   * reversal Stripe made, a debt netted), once no reversal of the refund is in flight any more
   * (RefundReversalsPlanner.returnForFailedRefund: return transfers are rows of their own, made by
   * the transfers worker); until then it waits (the reversal worker makes it due once it settled one).
   */
  private async giveBackToSellers(refund: Refund): Promise<void> {
    const done = await this.db.transaction(async (tx) => {
      await this.orders.lock(tx, refund.orderId);
      const current = await tx.findOne(Refund, { where: { id: refund.id }, lock: { mode: 'pessimistic_write' } });
      if (current?.failureReturnStatus !== 'pending') return true;
      if (!(await this.reversals.returnForFailedRefund(tx, { refundId: refund.id, orderId: refund.orderId }))) return false;
      await this.refunds.transition(
        tx,
        refund.id,
        { failureReturn: 'returned' },
        { failureReturnNextAttemptAt: null, failureReturnAttempts: () => 'failure_return_attempts + 1', failureReturnErrorCode: null, failureReturnError: null },
        { failureReturn: 'pending' },
      );
      return true;
    });
    if (done) return;
    await this.refunds.transition(
      this.db.manager,
      refund.id,
      { failureReturn: 'pending' },
      { failureReturnNextAttemptAt: () => 'now() + make_interval(secs => :delaySeconds)', failureReturnError: "waiting for the refund's transfer reversals in flight" },
      { failureReturn: 'pending' },
      { delaySeconds: IN_FLIGHT_WAIT_SECONDS },
    );
  }

  // balance_insufficient: the platform's available balance cannot cover it yet (the charge's funds
  // are pending): still pending, retried with a growing delay (and after balance.available).
  // Refused for good otherwise: `failed`, with Stripe's code for admins. Anything else (unreachable,
  // rate limited, unknown outcome): retried after a delay with the same key.
  private async recordError(refund: Refund, error: unknown): Promise<void> {
    const final = finalRefusal(error);
    const { code, message } = refusalOf(error);
    const attempts = refund.failureReturnAttempts + 1;
    const log = waitsForFunds(error) ? this.logger.warn.bind(this.logger) : this.logger.error.bind(this.logger);
    log({ err: error, component: 'refund-failure-return', refundId: refund.id, final, attempts }, "returning a failed refund's share to the seller failed");
    // pending -> pending records the retry; a return no longer pending is left alone
    await this.refunds.transition(
      this.db.manager,
      refund.id,
      { failureReturn: final ? 'failed' : 'pending' },
      {
        failureReturnAttempts: () => 'failure_return_attempts + 1',
        failureReturnErrorCode: code,
        failureReturnError: message,
        failureReturnNextAttemptAt: final ? null : () => 'now() + make_interval(secs => :delaySeconds)',
        // a refusal that made nothing: the next attempt needs a new key (Stripe keeps a key's refusal for 24 h)
        ...(waitsForFunds(error) ? { failureReturnKeyGeneration: () => 'failure_return_key_generation + 1' } : {}),
      },
      { failureReturn: 'pending' },
      final ? {} : { delaySeconds: retryDelaySeconds(attempts) },
    );
  }
}
