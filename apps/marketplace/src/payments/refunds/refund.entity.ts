import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../../identity/principal.entity.js';
import { Order } from '../orders/order.entity.js';

export const REFUND_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * After a refund Stripe failed once it had succeeded, the seller's share it took (transfer reversal
 * minus the application fee refunded with it) goes back to the seller: pending (the payments worker
 * transfers it, key `refund-failed-return:<id>`) -> returned | failed (Stripe refused for good).
 */
export const FAILURE_RETURN_STATUSES = ['pending', 'returned', 'failed'] as const;
export type FailureReturnStatus = (typeof FAILURE_RETURN_STATUSES)[number];

/**
 * A refund whose transfer reversal could not pull the seller's share back (the charge's transfer
 * was already reversed by a dispute recovery or a failed refund, and the seller's funds came back
 * by a return transfer): pending (the payments worker reverses the order's return transfer by the
 * missing amount, key `refund-return-reversal:<id>`) -> reversed | none (nothing missing) | failed.
 */
export const RETURN_REVERSAL_STATUSES = ['pending', 'reversed', 'none', 'failed'] as const;
export type ReturnReversalStatus = (typeof RETURN_REVERSAL_STATUSES)[number];

/**
 * A refund of an order: the intent is recorded (`pending`, its Stripe idempotency key is
 * `refund:<id>`) before Stripe is called; the outcome (or the charge.refunded webhook) settles it.
 * Refunds made outside this API (the Dashboard) are recorded from the webhook with `source = stripe`.
 */
@Entity({ name: 'refunds' })
@Check('refunds_status_check', `status IN ('pending', 'succeeded', 'failed')`)
@Check('refunds_source_check', `source IN ('api', 'stripe')`)
@Check('refunds_amount_check', `amount >= 1`)
@Index('refunds_order_idx', ['orderId', 'createdAt'])
@Index('refunds_stripe_refund_idx', ['stripeRefundId'], { unique: true, where: 'stripe_refund_id IS NOT NULL' })
@Check('refunds_failure_return_status_check', `failure_return_status IS NULL OR failure_return_status IN ('pending', 'returned', 'failed')`)
@Index('refunds_failure_return_due_idx', ['failureReturnNextAttemptAt'], { where: `failure_return_status = 'pending'` })
@Check('refunds_return_reversal_status_check', `return_reversal_status IS NULL OR return_reversal_status IN ('pending', 'reversed', 'none', 'failed')`)
@Index('refunds_return_reversal_due_idx', ['returnReversalNextAttemptAt'], { where: `return_reversal_status = 'pending'` })
@Index('refunds_one_pending_per_order_idx', ['orderId'], { unique: true, where: `status = 'pending'` })
@Check('refunds_idempotency_key_check', `idempotency_key IS NULL OR principal_id IS NOT NULL`)
@Index('refunds_idempotency_key_idx', ['principalId', 'idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
export class Refund {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'refunds_order_id_fkey' })
  order?: Relation<Order>;

  @Column({ type: 'varchar', length: 16 })
  status: RefundStatus;

  @Column({ type: 'varchar', length: 8 })
  source: 'api' | 'stripe';

  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** Part of the application fee returned with this refund (REFUND_APPLICATION_FEE policy). */
  @Column(moneyAmountColumn({ name: 'application_fee_refund', default: 0 }))
  applicationFeeRefund: bigint;

  /** The refund's `refund_application_fee`, fixed with the intent (REFUND_APPLICATION_FEE then): a retry sends the same request. */
  @Column({ name: 'stripe_refund_application_fee', type: 'boolean', nullable: true })
  stripeRefundApplicationFee: boolean | null;

  /** Amount pulled back from the seller by the transfer reversal, as Stripe made it. */
  @Column(moneyAmountColumn({ name: 'transfer_reversal_amount', nullable: true }))
  transferReversalAmount: bigint | null;

  @Column({ name: 'stripe_refund_id', type: 'varchar', length: 255, nullable: true })
  stripeRefundId: string | null;

  @Column({ name: 'transfer_reversal_id', type: 'varchar', length: 255, nullable: true })
  transferReversalId: string | null;

  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'refunds_requested_by_fkey' })
  requester?: Relation<Principal>;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage: string | null;

  /** The caller and the API Idempotency-Key that created this refund (source api): a retry with it resumes this refund. */
  @Column({ name: 'principal_id', type: 'uuid', nullable: true })
  principalId: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  /** Null: nothing to give back (the refund never failed after succeeding, or took nothing from the seller). */
  @Column({ name: 'failure_return_status', type: 'varchar', length: 16, nullable: true })
  failureReturnStatus: FailureReturnStatus | null;

  @Column(moneyAmountColumn({ name: 'failure_return_amount', nullable: true }))
  failureReturnAmount: bigint | null;

  @Column({ name: 'failure_return_transfer_id', type: 'varchar', length: 255, nullable: true })
  failureReturnTransferId: string | null;

  /** When the worker may next try the return (a claim's lease, or a retry delay). */
  @Column({ name: 'failure_return_next_attempt_at', type: 'timestamptz', nullable: true })
  failureReturnNextAttemptAt: Date | null;

  /** Stripe calls made for the return so far (the retry backoff grows with them). */
  @Column({ name: 'failure_return_attempts', type: 'integer', default: 0 })
  failureReturnAttempts: number;

  /** Bumped after a refusal that made nothing (balance_insufficient): Stripe keeps a key's refusal for 24 h, the next attempt needs a new key. */
  @Column({ name: 'failure_return_key_generation', type: 'int', default: 0 })
  failureReturnKeyGeneration: number;

  /** Stripe's error code and message of the last refused attempt (e.g. balance_insufficient, retried). */
  @Column({ name: 'failure_return_error_code', type: 'varchar', length: 64, nullable: true })
  failureReturnErrorCode: string | null;

  @Column({ name: 'failure_return_error', type: 'text', nullable: true })
  failureReturnError: string | null;

  /** Null: the refund's own transfer reversal pulled the seller's share back (or no return transfer to reverse). */
  @Column({ name: 'return_reversal_status', type: 'varchar', length: 16, nullable: true })
  returnReversalStatus: ReturnReversalStatus | null;

  @Column(moneyAmountColumn({ name: 'return_reversal_amount', nullable: true }))
  returnReversalAmount: bigint | null;

  @Column({ name: 'return_reversal_id', type: 'varchar', length: 255, nullable: true })
  returnReversalId: string | null;

  /** The return transfer reversed (a won dispute's return_transfer_id, a failed refund's failure_return_transfer_id). */
  @Column({ name: 'return_reversal_transfer_id', type: 'varchar', length: 255, nullable: true })
  returnReversalTransferId: string | null;

  @Column({ name: 'return_reversal_attempts', type: 'integer', default: 0 })
  returnReversalAttempts: number;

  /** As failureReturnKeyGeneration, for the return reversal's key. */
  @Column({ name: 'return_reversal_key_generation', type: 'int', default: 0 })
  returnReversalKeyGeneration: number;

  /** What the refund has taken back from the order's return transfers so far (one reversal at a time). */
  @Column(moneyAmountColumn({ name: 'return_reversed_total', default: 0 }))
  returnReversedTotal: bigint;

  @Column({ name: 'return_reversal_next_attempt_at', type: 'timestamptz', nullable: true })
  returnReversalNextAttemptAt: Date | null;

  @Column({ name: 'return_reversal_error_code', type: 'varchar', length: 64, nullable: true })
  returnReversalErrorCode: string | null;

  @Column({ name: 'return_reversal_error', type: 'text', nullable: true })
  returnReversalError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
