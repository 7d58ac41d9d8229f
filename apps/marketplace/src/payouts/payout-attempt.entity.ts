import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import type { PayoutAttemptStatus } from './payout-status.js';
import { PayoutRequest } from './payout-request.entity.js';

/** Exactly what is sent to Stripe's POST /v1/payouts (with Stripe-Account), fixed when the attempt is made (amounts as strings). */
export interface PayoutStripeParams {
  amount: string;
  currency: string;
  metadata: { payout_request_id: string; payout_attempt_id: string; seller_id: string };
}

/**
 * One Stripe payout made for a request, with its own key `payout:<id>` (the database checks it).
 * Its status changes only through the attempts repository (PAYOUT_ATTEMPT_TRANSITIONS); the
 * database refuses an attempt for a request without the approvals it needs, or for another amount.
 */
@Entity({ name: 'payout_attempts' })
@Check('payout_attempts_amount_check', `amount > 0`)
@Check('payout_attempts_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('payout_attempts_key_check', `idempotency_key = 'payout:' || id::text`)
@Check('payout_attempts_status_check', `status IN ('pending', 'submitting', 'created', 'paid', 'failed', 'canceled')`)
@Check('payout_attempts_created_check', `status IN ('pending', 'submitting') OR status = 'failed' OR stripe_payout_id IS NOT NULL`)
@Index('payout_attempts_key_idx', ['idempotencyKey'], { unique: true })
@Index('payout_attempts_stripe_payout_idx', ['stripePayoutId'], { unique: true, where: 'stripe_payout_id IS NOT NULL' })
@Index('payout_attempts_one_live_idx', ['requestId'], { unique: true, where: `status IN ('pending', 'submitting', 'created', 'paid')` })
@Index('payout_attempts_due_idx', ['nextAttemptAt'], { where: `status IN ('pending', 'submitting')` })
export class PayoutAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @ManyToOne(() => PayoutRequest)
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'payout_attempts_request_id_fkey' })
  request?: Relation<PayoutRequest>;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'payout_attempts_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ name: 'stripe_account', type: 'varchar', length: 255 })
  stripeAccount: string;

  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 16 })
  status: PayoutAttemptStatus;

  /** `payout:<id>`, sent with every call for this attempt. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ name: 'stripe_params', type: 'jsonb' })
  stripeParams: PayoutStripeParams;

  /** The admin who asked for this attempt after a failure (null: the first attempt, made by approval). */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'payout_attempts_created_by_fkey' })
  creator?: Relation<Principal>;

  /** When the key was first sent (null: not yet). Past ~23 h the attempt is looked up, never re-sent blindly. */
  @Column({ name: 'key_first_sent_at', type: 'timestamptz', nullable: true })
  keyFirstSentAt: Date | null;

  @Column({ name: 'submit_attempts', type: 'int', default: 0 })
  submitAttempts: number;

  /** The lease of a claim, or when to try again; null: due now. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'waiting_reason', type: 'text', nullable: true })
  waitingReason: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'stripe_payout_id', type: 'varchar', length: 255, nullable: true })
  stripePayoutId: string | null;

  /** Stripe's own status of the payout (pending, in_transit, paid, failed, canceled) as last read. */
  @Column({ name: 'stripe_status', type: 'varchar', length: 32, nullable: true })
  stripeStatus: string | null;

  @Column({ name: 'failure_code', type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage: string | null;

  @Column({ name: 'arrival_date', type: 'timestamptz', nullable: true })
  arrivalDate: Date | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
