import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import type { PayoutRequestStatus } from './payout-status.js';
import { PayoutRun } from './payout-run.entity.js';

/** Who made the request: the scheduled job, the seller on demand, or an admin for the seller. */
export type PayoutRequestOrigin = 'schedule' | 'seller' | 'admin';

/**
 * What admins review: pay this seller this amount in this currency. Each Stripe payout made for it
 * is a PayoutAttempt. Its status changes only through PayoutRequestsRepository.transition
 * (PAYOUT_REQUEST_TRANSITIONS); what was asked for and who must approve never change (the database refuses it).
 */
@Entity({ name: 'payout_requests' })
@Check('payout_requests_amount_check', `amount > 0`)
@Check('payout_requests_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('payout_requests_origin_check', `origin IN ('schedule', 'seller', 'admin')`)
@Check('payout_requests_origin_by_check', `(origin = 'schedule') = (requested_by IS NULL) AND (origin = 'schedule') = (run_id IS NOT NULL)`)
@Check('payout_requests_status_check', `status IN ('held', 'pending_review', 'approved', 'frozen', 'executing', 'paid', 'failed', 'rejected', 'canceled')`)
@Check('payout_requests_approvals_required_check', `approvals_required IN (1, 2)`)
@Index('payout_requests_one_open_idx', ['sellerId', 'currency'], { unique: true, where: `status IN ('held', 'pending_review', 'approved', 'frozen', 'executing')` })
@Check('payout_requests_idempotency_key_check', `idempotency_key IS NULL OR principal_id IS NOT NULL`)
@Index('payout_requests_idempotency_key_idx', ['principalId', 'idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
@Index('payout_requests_status_idx', ['status', 'createdAt'])
@Index('payout_requests_seller_idx', ['sellerId', 'createdAt'])
export class PayoutRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'payout_requests_seller_id_fkey' })
  seller?: Relation<Principal>;

  /** The seller's connected account the payout is made from (Stripe-Account). */
  @Column({ name: 'stripe_account', type: 'varchar', length: 255 })
  stripeAccount: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'varchar', length: 16 })
  origin: PayoutRequestOrigin;

  /** The seller or admin who asked (null for the scheduled job). */
  @Column({ name: 'requested_by', type: 'uuid', nullable: true })
  requestedBy: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'requested_by', foreignKeyConstraintName: 'payout_requests_requested_by_fkey' })
  requester?: Relation<Principal>;

  /** The scheduled run that made it (origin `schedule`). */
  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId: string | null;

  @ManyToOne(() => PayoutRun)
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'payout_requests_run_id_fkey' })
  run?: Relation<PayoutRun>;

  /** Why it was made, in words (e.g. "daily payout of the available balance"). */
  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'varchar', length: 16 })
  status: PayoutRequestStatus;

  /** Why it waits, was rejected or failed: a code (e.g. PAYOUTS.BALANCE_MISMATCH) and the words the seller and admins see. */
  @Column({ name: 'status_code', type: 'varchar', length: 64, nullable: true })
  statusCode: string | null;

  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason: string | null;

  /** 1, or 2 above PAYOUT_TWO_PERSON_THRESHOLD: distinct admins, never the requester. */
  @Column({ name: 'approvals_required', type: 'smallint' })
  approvalsRequired: number;

  /** The connected account's available balance read from Stripe, and the ledger's, at the last check. */
  @Column(moneyAmountColumn({ name: 'stripe_available', nullable: true }))
  stripeAvailable: bigint | null;

  @Column(moneyAmountColumn({ name: 'ledger_available', nullable: true }))
  ledgerAvailable: bigint | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'rejected_by', type: 'uuid', nullable: true })
  rejectedBy: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'rejected_by', foreignKeyConstraintName: 'payout_requests_rejected_by_fkey' })
  rejecter?: Relation<Principal>;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  /** When the execution worker last looked at it (approved or frozen): frozen ones are taken least recently checked first. */
  @Column({ name: 'checked_at', type: 'timestamptz', nullable: true })
  checkedAt: Date | null;

  /** The caller and the API Idempotency-Key that created this request: a retry with it answers this request. */
  @Column({ name: 'principal_id', type: 'uuid', nullable: true })
  principalId: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
