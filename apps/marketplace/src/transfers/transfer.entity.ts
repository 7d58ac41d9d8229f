import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { Order } from '../payments/orders/order.entity.js';
import { Refund } from '../payments/refunds/refund.entity.js';
import type { TransferStatus } from './transfer-status.js';

/** `order`: one seller's share of a multi-seller order; `external`: a transfer made elsewhere (the Dashboard), recorded from its webhook; `refund_return`: what a failed refund of a multi-seller order took from the seller, given back (no source_transaction). */
export type TransferKind = 'order' | 'external' | 'refund_return';

/** Why a held transfer was released: the buyer confirmed receipt, an admin, the automatic release, or the end of the hold (Stripe's limit). */
export const RELEASE_REASONS = ['buyer', 'admin', 'auto', 'max_hold'] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

/** Exactly what is sent to Stripe's POST /v1/transfers, fixed when the row is made (amounts as strings). */
export interface TransferStripeParams {
  amount: string;
  currency: string;
  destination: string;
  transfer_group: string;
  /** Absent on a `refund_return` row: the platform's available balance pays it. */
  source_transaction?: string;
  metadata: { order_id: string; seller_id: string; transfer_id: string; refund_id?: string; reason?: string };
}

/**
 * One transfer to a seller's connected account. Its status changes only through
 * TransfersRepository.transition (TRANSFER_TRANSITIONS). A held row stays `pending` and is not
 * claimed until released (`released_at`); the shape leaves room for a refund before the transfer lowering `amount`.
 */
@Entity({ name: 'transfers' })
@Check('transfers_status_check', `status IN ('pending', 'submitting', 'succeeded', 'failed', 'canceled')`)
@Check('transfers_kind_check', `kind IN ('order', 'external', 'refund_return')`)
@Check('transfers_refund_return_check', `kind <> 'refund_return' OR (refund_id IS NOT NULL AND order_id IS NOT NULL AND seller_id IS NOT NULL AND stripe_params IS NOT NULL)`)
@Check('transfers_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('transfers_amounts_check', `amount >= 0 AND stripe_fee_share >= 0 AND amount + stripe_fee_share <= share`)
@Check('transfers_order_row_check', `kind <> 'order' OR (order_id IS NOT NULL AND seller_id IS NOT NULL AND stripe_params IS NOT NULL AND idempotency_key IS NOT NULL)`)
@Check('transfers_succeeded_check', `status <> 'succeeded' OR stripe_transfer_id IS NOT NULL`)
@Check('transfers_release_reason_check', `release_reason IS NULL OR release_reason IN ('buyer', 'admin', 'auto', 'max_hold')`)
@Check('transfers_release_check', `(released_at IS NULL) = (release_reason IS NULL) AND (released_at IS NULL OR hold_until IS NOT NULL) AND (hold_until IS NULL OR hold_expires_at IS NOT NULL)`)
@Index('transfers_hold_due_idx', ['holdUntil'], { where: 'released_at IS NULL AND hold_until IS NOT NULL' })
@Index('transfers_order_seller_idx', ['orderId', 'sellerId'], { unique: true, where: `kind = 'order'` })
@Index('transfers_refund_seller_idx', ['refundId', 'sellerId'], { unique: true, where: `kind = 'refund_return'` })
@Index('transfers_stripe_transfer_idx', ['stripeTransferId'], { unique: true, where: 'stripe_transfer_id IS NOT NULL' })
@Index('transfers_seller_idx', ['sellerId', 'createdAt'])
@Index('transfers_due_idx', ['nextAttemptAt'], { where: `status IN ('pending', 'submitting')` })
export class Transfer {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  kind: TransferKind;

  @Column({ type: 'varchar', length: 16 })
  status: TransferStatus;

  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  @ManyToOne(() => Order)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'transfers_order_id_fkey' })
  order?: Relation<Order>;

  /** A `refund_return` row: the failed refund whose part it gives back. */
  @Column({ name: 'refund_id', type: 'uuid', nullable: true })
  refundId: string | null;

  @ManyToOne(() => Refund)
  @JoinColumn({ name: 'refund_id', foreignKeyConstraintName: 'transfers_refund_id_fkey' })
  refund?: Relation<Refund>;

  @Column({ name: 'seller_id', type: 'uuid', nullable: true })
  sellerId: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'transfers_seller_id_fkey' })
  seller?: Relation<Principal>;

  /** What is (or was) transferred, in `currency` (the currency the platform holds the charge's funds in). */
  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The seller's share of the charge as booked (their payable), before Stripe's fee. */
  @Column(moneyAmountColumn())
  share: bigint;

  /** The part of Stripe's processing fee the seller bears (MULTI_SELLER_STRIPE_FEE=sellers), else 0. */
  @Column(moneyAmountColumn({ name: 'stripe_fee_share', default: 0 }))
  stripeFeeShare: bigint;

  @Column({ type: 'varchar', length: 255 })
  destination: string;

  @Column({ name: 'transfer_group', type: 'varchar', length: 255, nullable: true })
  transferGroup: string | null;

  @Column({ name: 'source_transaction', type: 'varchar', length: 255, nullable: true })
  sourceTransaction: string | null;

  @Column({ name: 'stripe_params', type: 'jsonb', nullable: true })
  stripeParams: TransferStripeParams | null;

  /** The Stripe key of the current attempt (`transfer:<id>`, then `transfer:<id>:<n>`). */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  /** Bumped by an admin retry and by a key Stripe may have forgotten (past 23 h) with no transfer found. */
  @Column({ name: 'key_generation', type: 'int', default: 0 })
  keyGeneration: number;

  /** When the current key was first sent (null: not sent yet). Past ~23 h the row is looked up, never re-sent blindly. */
  @Column({ name: 'key_first_sent_at', type: 'timestamptz', nullable: true })
  keyFirstSentAt: Date | null;

  @Column({ name: 'submit_attempts', type: 'int', default: 0 })
  submitAttempts: number;

  /** The instance (INSTANCE_NAME) that last marked the row submitting, i.e. sent it to Stripe (null: never sent). */
  @Column({ name: 'submitted_by', type: 'text', nullable: true })
  submittedBy: string | null;

  /** The lease of a claim, or when to try again; null: due now. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  /** Why a pending row is not being sent (the seller is not active). */
  @Column({ name: 'waiting_reason', type: 'text', nullable: true })
  waitingReason: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'failure_code', type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage: string | null;

  @Column({ name: 'stripe_transfer_id', type: 'varchar', length: 255, nullable: true })
  stripeTransferId: string | null;

  @Column({ name: 'stripe_balance_transaction_id', type: 'varchar', length: 255, nullable: true })
  stripeBalanceTransactionId: string | null;

  @Column({ name: 'destination_payment_id', type: 'varchar', length: 255, nullable: true })
  destinationPaymentId: string | null;

  /** When the seller's funds become available (the py_ payment's available_on, as Stripe reports it). */
  @Column({ name: 'available_on', type: 'timestamptz', nullable: true })
  availableOn: Date | null;

  /** A held transfer (null: never held) is released on its own at this moment unless released before (see transfer-holds.service.ts). */
  @Column({ name: 'hold_until', type: 'timestamptz', nullable: true })
  holdUntil: Date | null;

  /** The end of the order's hold, within Stripe's limit: a release then is `max_hold` (admins are told). */
  @Column({ name: 'hold_expires_at', type: 'timestamptz', nullable: true })
  holdExpiresAt: Date | null;

  /** When and by whom (the seller) this part was marked fulfilled; starts TRANSFERS_AUTO_RELEASE_DAYS. */
  @Column({ name: 'fulfilled_at', type: 'timestamptz', nullable: true })
  fulfilledAt: Date | null;

  @Column({ name: 'fulfilled_by', type: 'uuid', nullable: true })
  fulfilledBy: string | null;

  /** When and by whom (the buyer) receipt was confirmed. */
  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt: Date | null;

  @Column({ name: 'received_by', type: 'uuid', nullable: true })
  receivedBy: string | null;

  /** When the hold ended; the worker claims a held row only after it. */
  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'release_reason', type: 'varchar', length: 16, nullable: true })
  releaseReason: ReleaseReason | null;

  /** The principal who released it (null for `auto` and `max_hold`) and their role. */
  @Column({ name: 'released_by', type: 'uuid', nullable: true })
  releasedBy: string | null;

  @Column({ name: 'released_by_role', type: 'varchar', length: 16, nullable: true })
  releasedByRole: string | null;

  @Column({ name: 'canceled_by', type: 'uuid', nullable: true })
  canceledBy: string | null;

  @Column({ name: 'succeeded_at', type: 'timestamptz', nullable: true })
  succeededAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
