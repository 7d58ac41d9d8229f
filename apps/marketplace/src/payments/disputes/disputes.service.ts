import { Money } from '@app/money';
import type { DisputeSnapshot } from '@app/stripe';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { disputeLoweringLines, disputeTransactionLines, LEDGER_ENTRY_KINDS, LedgerService } from '../../ledger/index.js';
import { PayoutFreezes } from '../../onboarding/payout-freezes.js';
import { RefundReversalsPlanner } from '../../transfers/index.js';
import { DisputeRecoveryTransitionError } from './dispute-recovery-status.js';
import { Dispute } from './dispute.entity.js';
import { DisputesRepository } from './disputes.repository.js';
import { PAID_STATUSES, statusAfterRefunds } from '../orders/order-status.js';
import type { Order } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { PaymentsConfig } from '../payments.config.js';

const CLOSED = new Set(['won', 'lost', 'warning_closed', 'prevented']);

/** Stripe's inquiries (`warning_*`): no funds withdrawn, nothing to book or recover unless it escalates. */
export const isInquiry = (status: string) => status.startsWith('warning_');

/**
 * Whether this update is the moment funds are withdrawn: the first time we see a dispute that is
 * not an inquiry (a new dispute, or an inquiry escalated to one). Safe to evaluate on every replay.
 */
export function withdrawsFunds(previousStatus: string | null, currentStatus: string): boolean {
  if (isInquiry(currentStatus)) return false;
  return previousStatus === null || isInquiry(previousStatus);
}

/**
 * Disputes as Stripe reports them (charge.dispute.* webhooks, re-read from Stripe). Opening one:
 * the order is disputed, the platform's withdrawal (amount + dispute fee) is booked, and by
 * DISPUTE_RECOVERY a recovery from the seller becomes due (DisputeRecoveryService makes it).
 * Closing: won books the reinstatement and returns the recovery to the seller; lost leaves the
 * loss booked. While a dispute is open the seller's payouts are frozen.
 */
@Injectable()
export class DisputesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerService,
    private readonly config: PaymentsConfig,
    private readonly freezes: PayoutFreezes,
    private readonly disputes: DisputesRepository,
    private readonly reversals: RefundReversalsPlanner,
  ) {}

  onModuleInit(): void {
    this.freezes.register(async (sellerId, manager) => {
      const open = await this.openDisputeOf(sellerId, manager);
      return open ? `dispute ${open} is open` : null;
    });
  }

  async hasOpenDispute(sellerId: string, manager?: EntityManager): Promise<boolean> {
    return (await this.openDisputeOf(sellerId, manager)) !== null;
  }

  private async openDisputeOf(sellerId: string, manager?: EntityManager): Promise<string | null> {
    const rows: { stripe_dispute_id: string }[] = await (manager ?? this.db.manager).query(
      // a multi-seller order's dispute (no seller of its own) freezes every seller of the order
      `SELECT d.stripe_dispute_id FROM disputes d
        WHERE d.closed_at IS NULL
          AND (d.seller_id = $1 OR (d.seller_id IS NULL AND EXISTS (SELECT 1 FROM order_sellers s WHERE s.order_id = d.order_id AND s.seller_id = $1)))
        ORDER BY d.created_at LIMIT 1`,
      [sellerId],
    );
    return rows[0]?.stripe_dispute_id ?? null;
  }

  /** Brings our dispute in step with Stripe's. Safe to run twice and in any order. */
  async record(tx: EntityManager, snap: DisputeSnapshot, orderId: string | null = null): Promise<void> {
    const found = await this.orders.findByChargeOrIntent(tx, { chargeId: snap.chargeId, paymentIntentId: snap.paymentIntentId, orderId });
    if (!found) return; // not a charge of ours
    // the dispute can overtake the payment's webhook: retry once the order is paid
    if (!PAID_STATUSES.includes(found.status) || !found.chargeId) throw new Error(`order ${found.id} of disputed charge ${snap.chargeId} is not paid yet`);
    const order = (await this.orders.lock(tx, found.id))!;
    const sellers = await this.orders.sellersOf(tx, order.id);
    const sellerId = order.chargeType === 'destination' ? sellers[0]!.sellerId : null;
    const recover = this.config.DISPUTE_RECOVERY !== 'none' && order.transferId !== null && sellerId !== null;
    const before: { status: string }[] = await tx.query(`SELECT status FROM disputes WHERE stripe_dispute_id = $1 FOR UPDATE`, [snap.id]);
    const opens = withdrawsFunds(before[0]?.status ?? null, snap.status);
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO disputes (order_id, seller_id, stripe_dispute_id, charge_id, amount, currency, reason, status, evidence_due_by, dispute_fee, recovery_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (stripe_dispute_id) DO NOTHING RETURNING id`,
      [
        order.id,
        sellerId,
        snap.id,
        snap.chargeId,
        snap.amount.toString(),
        snap.currency,
        snap.reason.slice(0, 64),
        snap.status,
        snap.evidenceDueBy,
        snap.withdrawalFee.toString(),
        recover && opens ? 'pending' : 'none',
      ],
    );
    const dispute = (await tx.findOne(Dispute, { where: { stripeDisputeId: snap.id }, lock: { mode: 'pessimistic_write' } }))!;
    // every balance transaction of the dispute (withdrawal, reinstatement), once each, whatever its status
    for (const txn of snap.balanceTransactions) {
      await this.ledger.post(tx, {
        kind: txn.amount < 0n ? LEDGER_ENTRY_KINDS.disputeWithdrawal : LEDGER_ENTRY_KINDS.disputeReinstatement,
        reference: { type: 'order', id: order.id },
        idempotencyKey: `dispute-txn:${txn.id}`,
        description: `Dispute ${snap.id} (${snap.reason}) on charge ${snap.chargeId}: ${txn.amount < 0n ? 'funds withdrawn' : 'funds reinstated'}`,
        lines: disputeTransactionLines({ dispute: { objectId: snap.id, txn } }),
      });
    }
    if (dispute.closedAt) return; // closed is final
    if (opens) {
      await this.orders.transition(tx, order.id, 'disputed');
      // no recovery for a dispute Stripe already reports won (it would only go back again)
      if (snap.status === 'won') await this.disputes.transitionRecovery(tx, dispute.id, 'none', {}, 'pending');
      // an inquiry that became a dispute: the recovery is due now
      else if (inserted.length === 0 && recover) await this.disputes.transitionRecovery(tx, dispute.id, 'pending', { recoveryNextAttemptAt: null }, 'none');
    }
    await tx.update(Dispute, { id: dispute.id }, { status: snap.status, evidenceDueBy: snap.evidenceDueBy, reason: snap.reason.slice(0, 64) });
    if (CLOSED.has(snap.status)) await this.close(tx, order, dispute, snap);
  }

  /**
   * A multi-seller order's dispute, lost: recovered from the sellers in proportion to their
   * transfers, by the same reversal rows and debt rule as a refund of the disputed amount
   * (RefundReversalsPlanner.recoverLostDispute); a transfer not sent yet is lowered and booked here.
   * Only once lost: while it is open the sellers' payouts are frozen, and a won dispute takes nothing.
   */
  private async recoverFromSellers(tx: EntityManager, order: Order, dispute: Dispute): Promise<void> {
    const parts = await this.reversals.recoverLostDispute(tx, { orderId: order.id, disputeId: dispute.id, gross: order.amountTotal, takenBefore: order.amountRefunded, disputed: dispute.amount });
    if (parts.lowered.length === 0) return;
    const money = (minor: bigint) => Money.of(minor, parts.currency);
    await this.ledger.post(tx, {
      kind: LEDGER_ENTRY_KINDS.disputeRecovery,
      reference: { type: 'order', id: order.id },
      idempotencyKey: `dispute-lowering:${dispute.id}`,
      description: `Lost dispute ${dispute.stripeDisputeId}: the sellers' transfers not sent yet lowered`,
      lines: disputeLoweringLines({
        lowered: parts.lowered.map((l) => ({ sellerId: l.sellerId, amount: money(l.amount) })),
        debts: parts.debts.map((d) => ({ sellerId: d.sellerId, amount: money(d.amount) })),
      }),
    });
  }

  private async close(tx: EntityManager, order: Order, dispute: Dispute, snap: DisputeSnapshot): Promise<void> {
    // decided from Stripe's withdrawal, not the status we had stored: an inquiry that escalated and
    // closed between two reads did withdraw funds
    const withdrew = snap.balanceTransactions.some((t) => t.amount < 0n);
    if (!withdrew) {
      // an inquiry withdrew nothing and changed nothing: closing it only ends the payout freeze
      await tx.update(Dispute, { id: dispute.id }, { closedAt: new Date() });
      return;
    }
    const won = snap.status === 'won';
    const current = (await tx.findOneBy(Dispute, { id: dispute.id }))!;
    if (won && current.recoveryStatus === 'recovered') {
      // the dispute row is locked (record): not moving is a bug
      if (!(await this.disputes.transitionRecovery(tx, dispute.id, 'returning', { closedAt: new Date(), recoveryNextAttemptAt: null }, 'recovered')))
        throw new DisputeRecoveryTransitionError(dispute.id, current.recoveryStatus, 'returning');
    } else await tx.update(Dispute, { id: dispute.id }, { closedAt: new Date() });
    if (!won && order.chargeType !== 'destination' && this.config.DISPUTE_RECOVERY !== 'none') await this.recoverFromSellers(tx, order, dispute);
    // lost: the withdrawal stays booked as the loss (net of any recovery from the seller); the order stays disputed.
    // won: the reinstatement was booked from its balance transaction above; the order goes back
    if (won) await this.orders.transition(tx, order.id, statusAfterRefunds(order.amountTotal, order.amountRefunded));
  }
}
