import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { Order } from '../payments/orders/order.entity.js';
import { Dispute } from '../payments/disputes/dispute.entity.js';
import { Refund } from '../payments/refunds/refund.entity.js';
import { Transfer } from './transfer.entity.js';

export const TRANSFER_REVERSAL_STATUSES = ['planned', 'pending', 'submitting', 'succeeded', 'debt', 'failed', 'canceled'] as const;
export type TransferReversalStatus = (typeof TRANSFER_REVERSAL_STATUSES)[number];

/** `lowering`: the seller's transfer was not sent yet and was lowered; `reversal`: it was made and is reversed at Stripe. */
export type TransferReversalKind = 'lowering' | 'reversal';

/** Exactly what is sent to Stripe's POST /v1/transfers/:id/reversals, fixed when the row is made. */
export interface TransferReversalStripeParams {
  transfer: string;
  amount: string;
  metadata: { order_id: string; seller_id: string; transfer_reversal_id: string; refund_id?: string; dispute_id?: string };
}

/**
 * One seller's part of a refund of a multi-seller order. Made `planned` with the refund's intent
 * (a lowering is applied to the transfer row then), `pending` once Stripe refunded, then the
 * reversal worker drives it: pending -> submitting -> succeeded | debt (Stripe refused:
 * balance_insufficient, the seller owes it) | failed (an admin retries or cancels it). A refund that failed cancels its plan.
 */
@Entity({ name: 'transfer_reversals' })
@Check('transfer_reversals_kind_check', `kind IN ('lowering', 'reversal')`)
@Check('transfer_reversals_status_check', `status IN ('planned', 'pending', 'submitting', 'succeeded', 'debt', 'failed', 'canceled')`)
@Check('transfer_reversals_amount_check', `amount > 0 AND shortfall >= 0 AND shortfall <= amount`)
@Check('transfer_reversals_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('transfer_reversals_origin_check', `num_nonnulls(refund_id, dispute_id) = 1`)
@Index('transfer_reversals_refund_seller_idx', ['refundId', 'sellerId'], { unique: true, where: 'refund_id IS NOT NULL' })
@Index('transfer_reversals_dispute_seller_idx', ['disputeId', 'sellerId'], { unique: true, where: 'dispute_id IS NOT NULL' })
@Index('transfer_reversals_stripe_reversal_idx', ['stripeReversalId'], { unique: true, where: 'stripe_reversal_id IS NOT NULL' })
@Index('transfer_reversals_order_idx', ['orderId', 'createdAt'])
@Index('transfer_reversals_due_idx', ['nextAttemptAt'], { where: `status IN ('pending', 'submitting')` })
export class TransferReversal {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: TransferReversalKind;

  @Column({ type: 'varchar', length: 16 })
  status: TransferReversalStatus;

  /** The refund it is part of, or (`disputeId`) the lost dispute it recovers. */
  @Column({ name: 'refund_id', type: 'uuid', nullable: true })
  refundId: string | null;

  @ManyToOne(() => Refund)
  @JoinColumn({ name: 'refund_id', foreignKeyConstraintName: 'transfer_reversals_refund_id_fkey' })
  refund?: Relation<Refund>;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @Column({ name: 'dispute_id', type: 'uuid', nullable: true })
  disputeId: string | null;

  @ManyToOne(() => Dispute)
  @JoinColumn({ name: 'dispute_id', foreignKeyConstraintName: 'transfer_reversals_dispute_id_fkey' })
  dispute?: Relation<Dispute>;

  @ManyToOne(() => Order)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'transfer_reversals_order_id_fkey' })
  order?: Relation<Order>;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'transfer_reversals_seller_id_fkey' })
  seller?: Relation<Principal>;

  /** Our transfer row (transfers.id) lowered or reversed. */
  @Column({ name: 'transfer_id', type: 'uuid' })
  transferId: string;

  @ManyToOne(() => Transfer)
  @JoinColumn({ name: 'transfer_id', foreignKeyConstraintName: 'transfer_reversals_transfer_id_fkey' })
  transfer?: Relation<Transfer>;

  /** The seller's part of the refund, in the transfer's currency. */
  @Column(moneyAmountColumn())
  amount: bigint;

  /** What was left of the transfer could not cover `amount` (a lowering; a reversal of a transfer lowered by debt netting): never asked of Stripe, the seller's debt. */
  @Column(moneyAmountColumn({ default: 0 }))
  shortfall: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** Set once the transfer is known at Stripe (kind reversal); a retry sends exactly these. */
  @Column({ name: 'stripe_params', type: 'jsonb', nullable: true })
  stripeParams: TransferReversalStripeParams | null;

  /** `transfer-reversal:<refundId>:<sellerId>`, then `...:<n>` for generation n. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  /** Bumped after a refusal that made nothing (balance_insufficient while the seller's funds are still pending): Stripe answers a refused key with the same refusal for 24 h. */
  @Column({ name: 'key_generation', type: 'int', default: 0 })
  keyGeneration: number;

  @Column({ name: 'key_first_sent_at', type: 'timestamptz', nullable: true })
  keyFirstSentAt: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'failure_code', type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ name: 'stripe_reversal_id', type: 'varchar', length: 255, nullable: true })
  stripeReversalId: string | null;

  @Column({ name: 'stripe_transfer_id', type: 'varchar', length: 255, nullable: true })
  stripeTransferId: string | null;

  /** The admin who canceled it (a failed reversal given up on: the platform bears the seller's part). */
  @Column({ name: 'canceled_by', type: 'uuid', nullable: true })
  canceledBy: string | null;

  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true })
  succeededAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** A lowering of a failed refund given back to its still-unsent transfer ahead of the rest of the return (which then only books it). */
  @Column({ name: 'given_back_at', type: 'timestamptz', nullable: true })
  givenBackAt: Date | null;
}
