import { claimDueRows } from '@app/database';
import { idempotencyKey, idempotencyKeyMayBeForgotten, StripeGateway, StripeGatewayError, type FeeRefundSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { disputeRecoveryLines, disputeReturnLines, LEDGER_ENTRY_KINDS, LedgerService } from '../../ledger/index.js';
import { DisputeRecoveryTransitionError } from './dispute-recovery-status.js';
import { Dispute, type RecoveryStatus } from './dispute.entity.js';
import { DisputesRepository } from './disputes.repository.js';
import { OrderSeller } from '../orders/order-seller.entity.js';
import { Order } from '../orders/order.entity.js';
import { PaymentsConfig } from '../payments.config.js';
import { feeRefundMadeWith } from '../refunds/fee-refund-matching.js';

// A claim is ours for this long (a crashed worker's claim then lapses); a retryable failure waits.
const CLAIM_LEASE_SECONDS = 120;
const RETRY_DELAY_SECONDS = 30;
/**
 * The money moves a dispute implies, outside any transaction (the dispute row holds the intent):
 *  - recovery (`pending`): a reversal of the seller's transfer, key `dispute-recovery:<disputeId>`;
 *    with DISPUTE_RECOVERY=seller_share it refunds the application fee (`refund_application_fee`:
 *    Stripe refunds it "with an amount proportional to the amount of the transfer reversed"), so
 *    the seller loses what they netted of the disputed amount, booked from Stripe's fee refunds;
 *  - return (`returning`, the dispute was won): a transfer of the recovered funds back to the
 *    seller of what they lost (reversal - fee refunded), key `dispute-return:<disputeId>`.
 * A retry makes the same Stripe call (same key); the outcome is recorded once (guarded UPDATE).
 */
@Injectable()
export class DisputeRecoveryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ledger: LedgerService,
    private readonly config: PaymentsConfig,
    private readonly disputes: DisputesRepository,
  ) {}

  /** Works the disputes with a recovery or return due; returns how many it finished. */
  async runOnce(limit = 20): Promise<number> {
    // claim with a lease: N workers never make the same Stripe call at once
    const ids = await claimDueRows((sql, params) => this.db.query(sql, params).then(([rows]: [Array<{ id: string }>, number]) => rows), {
      table: 'disputes',
      due: "recovery_status IN ('pending', 'returning')",
      nextAttemptColumn: 'recovery_next_attempt_at',
      orderBy: 'updated_at',
      limit,
      leaseSeconds: CLAIM_LEASE_SECONDS,
    });
    const due = ids.length ? await this.db.getRepository(Dispute).findBy({ id: In(ids) }) : [];
    let done = 0;
    for (const dispute of due) {
      try {
        if (dispute.recoveryStatus === 'pending') await this.recover(dispute);
        else await this.giveBack(dispute);
        done++;
      } catch (error) {
        await this.recordError(dispute, error);
      }
    }
    return done;
  }

  private async recover(dispute: Dispute): Promise<void> {
    const order = (await this.db.getRepository(Order).findOneBy({ id: dispute.orderId }))!;
    if (!order.transferId) {
      await this.disputes.transitionRecovery(this.db.manager, dispute.id, 'none', {}, 'pending');
      return;
    }
    // past ~23 h Stripe may have forgotten the key: find a reversal made earlier before making one
    const earlier = idempotencyKeyMayBeForgotten(dispute.createdAt)
      ? (await this.gateway.listTransferReversals(order.transferId)).find((r) => r.metadata.dispute_id === dispute.stripeDisputeId)
      : undefined;
    let reversal = earlier;
    let refundApplicationFee = dispute.recoveryRefundApplicationFee ?? false;
    if (!reversal) {
      let amount = dispute.recoveryRequestAmount;
      if (amount === null) {
        // in the transfer's currency (Stripe's settlement currency, which may not be the charge's): what
        // Stripe withdrew for the dispute, at most what is left of the seller's transfer
        const [snap, transferNow] = await Promise.all([this.gateway.retrieveDispute(dispute.stripeDisputeId), this.gateway.retrieveTransfer(order.transferId)]);
        const withdrawn = snap.balanceTransactions.filter((t) => t.amount < 0n && t.currency === transferNow.currency).reduce((sum, t) => sum - t.amount, 0n);
        const remaining = transferNow.amount - transferNow.amountReversed;
        const computed = withdrawn < remaining ? withdrawn : remaining;
        if (computed <= 0n) {
          await this.disputes.transitionRecovery(this.db.manager, dispute.id, 'none', {}, 'pending');
          return;
        }
        // fixed on the row before the first call, so every retry of this key sends the same request
        // (seller_share: the platform's fee is not the seller's to bear; Stripe refunds it with the reversal)
        await this.db
          .getRepository(Dispute)
          .update(
            { id: dispute.id, recoveryRequestAmount: IsNull() },
            { recoveryRequestAmount: computed, recoveryRefundApplicationFee: this.config.DISPUTE_RECOVERY === 'seller_share' && order.applicationFeeTotal > 0n },
          );
        const fixed = (await this.db.getRepository(Dispute).findOneBy({ id: dispute.id }))!;
        amount = fixed.recoveryRequestAmount!;
        refundApplicationFee = fixed.recoveryRefundApplicationFee ?? false;
      }
      reversal = await this.gateway.createTransferReversal(
        { transferId: order.transferId, amount, refundApplicationFee, metadata: { dispute_id: dispute.stripeDisputeId, order_id: order.id } },
        idempotencyKey('dispute-recovery', dispute.id),
      );
    } else if (dispute.recoveryRefundApplicationFee === null) {
      refundApplicationFee = this.config.DISPUTE_RECOVERY === 'seller_share' && order.applicationFeeTotal > 0n;
    }
    // the fee refunds Stripe made (their objects, never our formula), and the charge's refunds that
    // may have made some of them, to tell which one is this reversal's
    const feeRefunds = refundApplicationFee ? await this.feeRefundsOf(order) : [];
    const chargeRefunds = feeRefunds.length ? await this.gateway.listRefunds(order.chargeId!) : [];
    const transferAmount = feeRefunds.length ? (await this.gateway.retrieveTransfer(order.transferId)).amount : 0n;
    // the reversal's side on the seller's balance (a refund of the transfer's py_ payment there)
    const seller = (await this.db.getRepository(OrderSeller).findOneBy({ orderId: order.id, sellerId: dispute.sellerId! }))!;
    const onSeller = reversal.destinationPaymentRefundId ? await this.gateway.retrieveConnectedRefundTransaction(reversal.destinationPaymentRefundId, seller.stripeAccountId) : null;
    if (!reversal.balanceTransaction || !onSeller) throw new Error(`transfer reversal ${reversal.id} was not read on both balances`);
    await this.db.transaction(async (tx) => {
      const current = await tx.findOne(Dispute, { where: { id: dispute.id }, lock: { mode: 'pessimistic_write' } });
      if (current?.recoveryStatus !== 'pending') return;
      // won while we were recovering: the funds go straight back
      const next: RecoveryStatus = current.closedAt && current.status === 'won' ? 'returning' : 'recovered';
      const candidates = await this.unbooked(tx, feeRefunds, `dispute-recovery:${dispute.id}`);
      // matched against the charge's refunds not booked yet: a refund whose webhook is late keeps its own
      const mine = await feeRefundMadeWith(tx, {
        orderId: order.id,
        fee: order.applicationFeeTotal,
        orderTotal: order.amountTotal,
        transferAmount,
        self: { ...reversal, kind: 'reversal' },
        refunds: chargeRefunds,
        reversals: [],
        candidates,
      });
      const unbooked = mine ? [{ objectId: mine.id, txn: mine.balanceTransaction! }] : [];
      const feeRefunded = unbooked.reduce((sum, f) => sum - f.txn.net, 0n);
      const changes = { recoveredAmount: reversal.amount, recoveryFeeRefund: feeRefunded, recoveryReversalId: reversal.id, recoveryError: null, recoveryNextAttemptAt: null };
      if (!(await this.disputes.transitionRecovery(tx, dispute.id, next, changes, 'pending'))) throw new DisputeRecoveryTransitionError(dispute.id, current.recoveryStatus, next);
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.disputeRecovery,
        reference: { type: 'order', id: order.id },
        idempotencyKey: `dispute-recovery:${dispute.id}`,
        description: `Dispute ${dispute.stripeDisputeId}: recovered from the seller by transfer reversal ${reversal.id}`,
        lines: disputeRecoveryLines({
          seller: { kind: 'connected', sellerId: seller.sellerId, account: seller.stripeAccountId },
          reversal: { platform: { objectId: reversal.id, txn: reversal.balanceTransaction! }, connected: { objectId: reversal.destinationPaymentRefundId!, txn: onSeller } },
          feeRefunds: unbooked,
        }),
      });
    });
  }

  private async giveBack(dispute: Dispute): Promise<void> {
    const order = (await this.db.getRepository(Order).findOneBy({ id: dispute.orderId }))!;
    const seller = (await this.db.getRepository(OrderSeller).findOneBy({ orderId: order.id, sellerId: dispute.sellerId! }))!;
    const earlier = idempotencyKeyMayBeForgotten(dispute.closedAt ?? dispute.createdAt)
      ? (await this.gateway.listTransfers({ transferGroup: order.id })).find((t) => t.metadata.dispute_id === dispute.stripeDisputeId)
      : undefined;
    // what the seller lost: the reversal minus the application fee Stripe refunded to them with it
    const lost = dispute.recoveredAmount - dispute.recoveryFeeRefund;
    const transfer =
      earlier ??
      (await this.gateway.createTransfer(
        {
          amount: lost,
          // the currency the recovery reversal came back in (the charge's settlement currency)
          currency: (await this.gateway.retrieveTransfer(order.transferId!)).currency,
          destination: seller.stripeAccountId,
          transferGroup: order.id,
          ...(order.chargeId ? { sourceTransaction: order.chargeId } : {}),
          metadata: { dispute_id: dispute.stripeDisputeId, order_id: order.id },
        },
        idempotencyKey('dispute-return', dispute.id),
      ));
    const onSeller = transfer.destinationPaymentId ? await this.gateway.retrieveDestinationPaymentTransaction(transfer.destinationPaymentId, seller.stripeAccountId) : null;
    if (!transfer.balanceTransaction || !onSeller) throw new Error(`transfer ${transfer.id} was not read on both balances`);
    await this.db.transaction(async (tx) => {
      const current = await tx.findOne(Dispute, { where: { id: dispute.id }, lock: { mode: 'pessimistic_write' } });
      if (current?.recoveryStatus !== 'returning') return;
      const changes = { returnTransferId: transfer.id, recoveryError: null, recoveryNextAttemptAt: null };
      if (!(await this.disputes.transitionRecovery(tx, dispute.id, 'returned', changes, 'returning'))) throw new DisputeRecoveryTransitionError(dispute.id, current.recoveryStatus, 'returned');
      // a later refund's return reversal waiting for this return can be planned now
      await tx.query(`UPDATE refunds SET return_reversal_next_attempt_at = now() WHERE order_id = $1 AND return_reversal_status = 'pending'`, [order.id]);
      await this.ledger.post(tx, {
        kind: LEDGER_ENTRY_KINDS.disputeReturn,
        reference: { type: 'order', id: order.id },
        idempotencyKey: `dispute-return:${dispute.id}`,
        description: `Dispute ${dispute.stripeDisputeId} won: recovered funds returned by transfer ${transfer.id}`,
        lines: disputeReturnLines({
          seller: { kind: 'connected', sellerId: seller.sellerId, account: seller.stripeAccountId },
          transfer: { objectId: transfer.id, txn: transfer.balanceTransaction! },
          payment: { objectId: transfer.destinationPaymentId!, txn: onSeller },
          feeRefunded: current.recoveryFeeRefund,
        }),
      });
    });
  }

  private async feeRefundsOf(order: Order): Promise<FeeRefundSnapshot[]> {
    const charge = await this.gateway.retrieveCharge(order.chargeId!);
    return charge.applicationFeeId ? this.gateway.listApplicationFeeRefunds(charge.applicationFeeId) : [];
  }

  /** The fee refunds no other entry has booked (a refund's settlement books the ones it made), as movements. */
  private async unbooked(tx: EntityManager, feeRefunds: FeeRefundSnapshot[], entryKey: string) {
    const ids = feeRefunds.map((f) => f.id);
    // this recovery's own entry (a retry after a crash) keeps the fee refunds it booked
    const already: Array<{ id: string }> = ids.length
      ? await tx.query(
          `SELECT DISTINCT l.stripe_object_id AS id FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
            WHERE l.stripe_object_id = ANY($1) AND e.idempotency_key <> $2`,
          [ids, entryKey],
        )
      : [];
    const booked = new Set(already.map((r) => r.id));
    return feeRefunds.filter((f) => !booked.has(f.id) && f.balanceTransaction);
  }

  // Stripe refused for good (e.g. the seller's balance cannot cover it): visible, not retried.
  // Anything else (unreachable, rate limited, unknown outcome): retried next round with the same key.
  private async recordError(dispute: Dispute, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const retryable = !(error instanceof StripeGatewayError && error.definitiveRefusal);
    // a retry stays where it was (pending -> pending, returning -> returning); a recovery that moved meanwhile is left alone
    await this.disputes.transitionRecovery(
      this.db.manager,
      dispute.id,
      retryable ? dispute.recoveryStatus : 'failed',
      retryable ? { recoveryError: message, recoveryNextAttemptAt: new Date(Date.now() + RETRY_DELAY_SECONDS * 1000) } : { recoveryError: message },
      dispute.recoveryStatus,
    );
  }
}
