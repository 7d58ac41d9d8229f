import { idempotencyKeyMayBeForgotten, StripeGateway, type TransferReversalSnapshot } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../../common/logger.js';
import { LEDGER_ENTRY_KINDS, LedgerService, returnReversalLines, transferLines } from '../../ledger/index.js';
import { Order } from '../orders/order.entity.js';
import { OrderSeller } from '../orders/order-seller.entity.js';
import { PaymentsConfig } from '../payments.config.js';
import { applicationFeeRefund, sellerShareOfRefund } from './refund-math.js';
import { Refund } from './refund.entity.js';
import { RefundsRepository } from './refunds.repository.js';
import { attemptKey, finalRefusal, refusalOf, retryDelaySeconds, waitsForFunds } from './stripe-refusal.js';

/**
 * REFUND_AFTER_RETURN=reverse_return. After a won dispute or a failed refund's return the seller's
 * funds came back by a new transfer that a refund's `reverse_transfer` never reverses (it reverses
 * only the charge's own transfer, already reversed): the refund marks `return_reversal_status =
 * pending` (RefundSettlementService) and this worker, outside any transaction, reverses the
 * order's return transfer by what the seller did not bear of the refund: what they would have
 * borne had the charge's transfer been intact (its share of the refund, in proportion, less the
 * application fee REFUND_APPLICATION_FEE would have returned) minus what they bore (Stripe's
 * reversal less the fee refunds booked with the refund); at most what is left of the return transfer, key `refund-return-reversal:<refundId>`, the amount and the transfer
 * fixed on the row before the first call. Booked from the reversal's balance transactions on both
 * balances. Stripe: "It is possible to reverse a transfer_group transfer only if the destination
 * account has enough balance to cover the reversal": balance_insufficient waits for the seller's
 * funds (retried with a growing delay, and after balance.available); a final refusal is `failed`
 * with Stripe's code.
 */
// how long a return reversal waits for the order's return transfer to be made before planning again
const RETURN_WAIT_MS = 30_000;

@Injectable()
export class RefundReturnReversalService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly config: PaymentsConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly refunds: RefundsRepository,
  ) {}

  async runOnce(limit = 20): Promise<number> {
    const due = await this.refunds.claimDue('return_reversal', limit);
    let done = 0;
    for (const refund of due) {
      try {
        await this.reverse(refund);
        done++;
      } catch (error) {
        await this.recordError(refund, error);
      }
    }
    return done;
  }

  private async reverse(refund: Refund): Promise<void> {
    const order = (await this.db.getRepository(Order).findOneBy({ id: refund.orderId }))!;
    // the seller the refund was booked against (single-seller orders)
    const seller = await this.db.getRepository(OrderSeller).findOneBy({ orderId: order.id });
    if (!seller) throw new Error(`order ${order.id} has no seller for refund ${refund.id}'s return reversal`);
    // a refund that failed since (undoFailed) takes nothing from the seller any more; a round it had
    // planned may have been made at Stripe before it failed: found (never made now) and booked, its
    // amount going back to the seller with the failure return, which waited for this
    if (refund.status !== 'succeeded') {
      if (refund.returnReversalAmount !== null && refund.returnReversalTransferId !== null) {
        const generation = String(refund.returnReversalKeyGeneration);
        const made = (await this.gateway.listTransferReversals(refund.returnReversalTransferId)).find((r) => r.metadata.refund_id === refund.id && (r.metadata.generation ?? '0') === generation);
        if (made) {
          await this.record(order, seller, refund, made, refund.returnReversalTransferId);
          return;
        }
      }
      await this.db.transaction(async (tx) => {
        await this.refunds.transition(tx, refund.id, { returnReversal: 'none' }, { returnReversalNextAttemptAt: null }, { returnReversal: 'pending' });
        await this.releaseFailureReturn(tx, refund.id);
      });
      return;
    }
    // a return still to be made (waiting for funds, or going out): wait for it before planning
    const [waiting]: Array<{ n: string }> = await this.db.query(
      `SELECT ((SELECT count(*) FROM disputes WHERE order_id = $1 AND recovery_status = 'returning')
             + (SELECT count(*) FROM refunds WHERE order_id = $1 AND failure_return_status = 'pending'))::text AS n`,
      [order.id],
    );
    if (refund.returnReversalAmount === null && BigInt(waiting?.n ?? '0') > 0n) {
      await this.refunds.transition(this.db.manager, refund.id, { returnReversal: 'pending' }, { returnReversalNextAttemptAt: new Date(Date.now() + RETURN_WAIT_MS) }, { returnReversal: 'pending' });
      return;
    }
    const planned =
      refund.returnReversalAmount !== null && refund.returnReversalTransferId !== null
        ? { amount: refund.returnReversalAmount, transferId: refund.returnReversalTransferId }
        : await this.plan(order, refund);
    if (!planned) {
      // the refund's own reversal pulled the seller's share back, nothing is left to reverse, or the
      // reversals made so far took it all
      await this.refunds.transition(this.db.manager, refund.id, { returnReversal: refund.returnReversedTotal > 0n ? 'reversed' : 'none' }, { returnReversalNextAttemptAt: null });
      return;
    }
    // one reversal per round and return transfer; each has its own key generation (and metadata)
    const generation = String(refund.returnReversalKeyGeneration);
    const earlier = idempotencyKeyMayBeForgotten(refund.createdAt)
      ? (await this.gateway.listTransferReversals(planned.transferId)).find((r) => r.metadata.refund_id === refund.id && (r.metadata.generation ?? '0') === generation)
      : undefined;
    const reversal =
      earlier ??
      (await this.gateway.createTransferReversal(
        { transferId: planned.transferId, amount: planned.amount, metadata: { refund_id: refund.id, order_id: order.id, reason: 'refund_after_return', generation } },
        attemptKey('refund-return-reversal', refund.id, refund.returnReversalKeyGeneration),
      ));
    await this.record(order, seller, refund, reversal, planned.transferId);
  }

  /**
   * Books a return reversal Stripe made. While the refund stands, the next round looks for what is
   * still missing in the order's other returns (a new plan, a new key generation) and marks it
   * reversed once nothing is. If the refund failed meanwhile, the seller is owed the reversal back:
   * it is booked as cash moving between the two balances, added to the failure return (held until
   * now), and the return reversal ends `reversed`.
   */
  private async record(order: Order, seller: OrderSeller, refund: Refund, reversal: TransferReversalSnapshot, transferId: string): Promise<void> {
    const onSeller = reversal.destinationPaymentRefundId ? await this.gateway.retrieveConnectedRefundTransaction(reversal.destinationPaymentRefundId, seller.stripeAccountId) : null;
    if (!reversal.balanceTransaction || !onSeller) throw new Error(`transfer reversal ${reversal.id} was not read on both balances`);
    const sides = {
      seller: { kind: 'connected' as const, sellerId: seller.sellerId, account: seller.stripeAccountId },
      platform: { objectId: reversal.id, txn: reversal.balanceTransaction },
      connected: { objectId: reversal.destinationPaymentRefundId!, txn: onSeller },
    };
    await this.db.transaction(async (tx) => {
      const current = await tx.findOne(Refund, { where: { id: refund.id }, lock: { mode: 'pessimistic_write' } });
      if (current?.returnReversalStatus !== 'pending') return;
      const failed = current.status !== 'succeeded';
      const moved = await this.refunds.transition(
        tx,
        refund.id,
        { returnReversal: failed ? 'reversed' : 'pending' },
        {
          returnReversalId: reversal.id,
          returnReversedTotal: () => `return_reversed_total + ${BigInt(reversal.amount).toString()}`,
          returnReversalAmount: null,
          returnReversalKeyGeneration: () => 'return_reversal_key_generation + 1',
          returnReversalNextAttemptAt: null,
          returnReversalAttempts: () => 'return_reversal_attempts + 1',
          returnReversalErrorCode: null,
          returnReversalError: null,
        },
        { returnReversal: 'pending' },
      );
      if (!moved) return;
      if (failed) {
        // the failure return has not been attempted (it waited for this): it grows by the reversal
        await this.refunds.transition(
          tx,
          refund.id,
          { failureReturn: 'pending' },
          { failureReturnAmount: () => `coalesce(failure_return_amount, 0) + ${BigInt(reversal.amount).toString()}`, failureReturnNextAttemptAt: null },
          { failureReturn: current.failureReturnStatus === null ? null : 'pending' },
        );
      }
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.refundReturnReversal,
        reference: { type: 'order', id: order.id },
        idempotencyKey: `refund-return-reversal:${reversal.id}`,
        description: failed
          ? `Refund ${refund.id} failed: return transfer ${transferId}'s reversal ${reversal.id} goes back to the seller with the failure return`
          : `Refund ${refund.id}: the seller's share its transfer reversal did not pull back, taken from return transfer ${transferId} by reversal ${reversal.id}`,
        // a failed refund's reversal is only cash moving (the seller is owed it again); else the seller bears it
        lines: failed
          ? transferLines({ seller: sides.seller, transfer: sides.platform, payment: sides.connected })
          : returnReversalLines({ seller: sides.seller, reversal: { platform: sides.platform, connected: sides.connected } }),
      });
    });
  }

  /** A failure return held for this refund's in-flight return reversal may go now. */
  private async releaseFailureReturn(tx: EntityManager, refundId: string): Promise<void> {
    await this.refunds.transition(tx, refundId, { failureReturn: 'pending' }, { failureReturnNextAttemptAt: null }, { failureReturn: 'pending' });
  }

  /** The missing share and the return transfer to take it from, fixed on the row (a retry asks Stripe the same). */
  private async plan(order: Order, refund: Refund): Promise<{ amount: bigint; transferId: string } | null> {
    if (!order.transferId) return null;
    const charged = await this.gateway.retrieveTransfer(order.transferId);
    const share = sellerShareOfRefund({ transferAmount: charged.amount, refund: refund.amount, gross: order.amountTotal });
    // the fee the refund would have returned with an intact transfer (the refunds before it succeeded as they did)
    const [before]: Array<{ refunded: string }> = await this.db.query(
      `SELECT coalesce(sum(amount), 0)::text AS refunded FROM refunds WHERE order_id = $1 AND status = 'succeeded' AND id <> $2 AND created_at < $3`,
      [order.id, refund.id, refund.createdAt],
    );
    const refundedBefore = BigInt(before?.refunded ?? '0');
    const fee = (r: bigint, already: bigint, priorFee: bigint) =>
      applicationFeeRefund({ policy: this.config.REFUND_APPLICATION_FEE, fee: order.applicationFeeTotal, feeRefundedBefore: priorFee, refund: r, refundedBefore: already, gross: order.amountTotal });
    // in the order's currency; the transfer (and so the share) is in Stripe's settlement currency
    const feeDuePresented = fee(refund.amount, refundedBefore, refundedBefore > 0n ? fee(refundedBefore, 0n, 0n) : 0n);
    const feeDue = order.amountTotal > 0n ? (feeDuePresented * charged.amount) / order.amountTotal : 0n;
    const missing = share - feeDue - ((refund.transferReversalAmount ?? 0n) - refund.applicationFeeRefund) - refund.returnReversedTotal;
    if (missing <= 0n) return null;
    const returns: Array<{ id: string }> = await this.db.query(
      `SELECT return_transfer_id AS id FROM disputes WHERE order_id = $1 AND return_transfer_id IS NOT NULL
        UNION ALL
       SELECT failure_return_transfer_id AS id FROM refunds WHERE order_id = $1 AND failure_return_transfer_id IS NOT NULL`,
      [order.id],
    );
    const left = await Promise.all(
      returns.map(async ({ id }) => {
        const tr = await this.gateway.retrieveTransfer(id);
        return { transferId: id, unreversed: tr.amount - tr.amountReversed };
      }),
    );
    // this round's reversal: the first return that covers what is missing, else the one with the most
    // left (the next round takes the rest from another)
    const pick = left.find((r) => r.unreversed >= missing) ?? left.sort((a, b) => (b.unreversed > a.unreversed ? 1 : b.unreversed < a.unreversed ? -1 : 0))[0];
    if (!pick || pick.unreversed <= 0n) return null;
    const amount = missing < pick.unreversed ? missing : pick.unreversed;
    await this.db.getRepository(Refund).update({ id: refund.id, returnReversalStatus: 'pending' }, { returnReversalAmount: amount, returnReversalTransferId: pick.transferId });
    return { amount, transferId: pick.transferId };
  }

  private async recordError(refund: Refund, error: unknown): Promise<void> {
    const final = finalRefusal(error);
    const { code, message } = refusalOf(error);
    const attempts = refund.returnReversalAttempts + 1;
    const log = waitsForFunds(error) ? this.logger.warn.bind(this.logger) : this.logger.error.bind(this.logger);
    log({ err: error, component: 'refund-return-reversal', refundId: refund.id, final, attempts }, "reversing the order's return transfer for a refund failed");
    // pending -> pending records the retry; a reversal no longer pending is left alone
    await this.refunds.transition(
      this.db.manager,
      refund.id,
      { returnReversal: final ? 'failed' : 'pending' },
      {
        returnReversalAttempts: () => 'return_reversal_attempts + 1',
        returnReversalErrorCode: code,
        returnReversalError: message,
        returnReversalNextAttemptAt: final ? null : () => 'now() + make_interval(secs => :delaySeconds)',
        // a refusal that made nothing: the next attempt needs a new key (Stripe keeps a key's refusal for 24 h)
        ...(waitsForFunds(error) ? { returnReversalKeyGeneration: () => 'return_reversal_key_generation + 1' } : {}),
      },
      { returnReversal: 'pending' },
      final ? {} : { delaySeconds: retryDelaySeconds(attempts) },
    );
  }
}
