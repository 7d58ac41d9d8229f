import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../../identity/principal.entity.js';
import { Order } from '../orders/order.entity.js';

/**
 * none: no recovery (policy `none`, or nothing to recover from); pending: a transfer reversal is
 * due (the dispute worker makes it, key `dispute-recovery:<id>`); recovered; returning: the dispute
 * was won and the recovered funds go back to the seller (key `dispute-return:<id>`); returned.
 */
export const RECOVERY_STATUSES = ['none', 'pending', 'recovered', 'returning', 'returned', 'failed'] as const;
export type RecoveryStatus = (typeof RECOVERY_STATUSES)[number];

/** A dispute on an order's charge, kept in step with Stripe's (keyed on the Stripe dispute id). */
@Entity({ name: 'disputes' })
@Check('disputes_recovery_status_check', `recovery_status IN ('none', 'pending', 'recovered', 'returning', 'returned', 'failed')`)
@Check('disputes_amount_check', `amount >= 1`)
@Check('disputes_recovery_request_amount_check', `recovery_request_amount IS NULL OR recovery_request_amount >= 1`)
@Index('disputes_stripe_dispute_idx', ['stripeDisputeId'], { unique: true })
@Index('disputes_order_idx', ['orderId'])
@Index('disputes_open_seller_idx', ['sellerId'], { where: `closed_at IS NULL` })
@Index('disputes_recovery_due_idx', ['updatedAt'], { where: `recovery_status IN ('pending', 'returning')` })
export class Dispute {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'disputes_order_id_fkey' })
  order?: Relation<Order>;

  /** The seller of the disputed destination charge (null for multi-seller orders). */
  @Column({ name: 'seller_id', type: 'uuid', nullable: true })
  sellerId: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'disputes_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ name: 'stripe_dispute_id', type: 'varchar', length: 255 })
  stripeDisputeId: string;

  @Column({ name: 'charge_id', type: 'varchar', length: 255 })
  chargeId: string;

  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 64 })
  reason: string;

  /** Stripe's status: warning_needs_response, needs_response, under_review, won, lost, ... */
  @Column({ type: 'varchar', length: 32 })
  status: string;

  @Column({ name: 'evidence_due_by', type: 'timestamptz', nullable: true })
  evidenceDueBy: Date | null;

  @Column(moneyAmountColumn({ name: 'dispute_fee', default: 0 }))
  disputeFee: bigint;

  @Column({ name: 'recovery_status', type: 'varchar', length: 16, default: 'none' })
  recoveryStatus: RecoveryStatus;

  @Column(moneyAmountColumn({ name: 'recovered_amount', default: 0 }))
  recoveredAmount: bigint;

  /** The application fee Stripe refunded with the recovery's reversal (DISPUTE_RECOVERY=seller_share): the seller lost recoveredAmount - this. */
  @Column(moneyAmountColumn({ name: 'recovery_fee_refund', default: 0 }))
  recoveryFeeRefund: bigint;

  /** The recovery reversal's amount, fixed before the first Stripe call: a retry sends the same request. */
  @Column(moneyAmountColumn({ name: 'recovery_request_amount', nullable: true }))
  recoveryRequestAmount: bigint | null;

  /** Whether the recovery reversal asks Stripe to refund the application fee, fixed with the amount. */
  @Column({ name: 'recovery_refund_application_fee', type: 'boolean', nullable: true })
  recoveryRefundApplicationFee: boolean | null;

  @Column({ name: 'recovery_reversal_id', type: 'varchar', length: 255, nullable: true })
  recoveryReversalId: string | null;

  @Column({ name: 'return_transfer_id', type: 'varchar', length: 255, nullable: true })
  returnTransferId: string | null;

  @Column({ name: 'recovery_error', type: 'text', nullable: true })
  recoveryError: string | null;

  /** When the worker may next try the recovery or return (a claim's lease, or a retry delay). */
  @Column({ name: 'recovery_next_attempt_at', type: 'timestamptz', nullable: true })
  recoveryNextAttemptAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
