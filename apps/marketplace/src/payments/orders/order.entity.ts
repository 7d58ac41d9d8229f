import { Money, moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../../identity/principal.entity.js';
import { OrderLine } from './order-line.entity.js';
import { OrderSeller } from './order-seller.entity.js';
import type { OrderStatus } from './order-status.js';

export type OrderChargeType = 'destination' | 'separate_transfers';

/** A buyer's order. Its status changes only through OrdersRepository.transition (ORDER_TRANSITIONS). */
@Entity({ name: 'orders' })
@Check('orders_status_check', `status IN ('created', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded', 'disputed', 'failed', 'expired')`)
@Check('orders_charge_type_check', `charge_type IN ('destination', 'separate_transfers')`)
@Check('orders_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('orders_amounts_check', `amount_total BETWEEN 1 AND 99999999 AND application_fee_total BETWEEN 0 AND amount_total AND amount_refunded BETWEEN 0 AND amount_total`)
@Index('orders_buyer_idx', ['buyerId', 'createdAt'])
@Index('orders_checkout_session_idx', ['checkoutSessionId'], { unique: true, where: 'checkout_session_id IS NOT NULL' })
@Index('orders_payment_intent_idx', ['paymentIntentId'], { unique: true, where: 'payment_intent_id IS NOT NULL' })
@Index('orders_charge_idx', ['chargeId'], { unique: true, where: 'charge_id IS NOT NULL' })
@Check('orders_hold_days_check', `hold_days >= 0 AND hold_days <= 90 AND (hold_days = 0 OR charge_type = 'separate_transfers')`)
@Check('orders_idempotency_key_check', `idempotency_key IS NULL OR principal_id IS NOT NULL`)
@Index('orders_idempotency_key_idx', ['principalId', 'idempotencyKey'], { unique: true, where: 'idempotency_key IS NOT NULL' })
export class Order {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'buyer_id', type: 'uuid' })
  buyerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'buyer_id', foreignKeyConstraintName: 'orders_buyer_id_fkey' })
  buyer?: Relation<Principal>;

  @Column({ type: 'varchar', length: 24 })
  status: OrderStatus;

  @Column({ name: 'charge_type', type: 'varchar', length: 24 })
  chargeType: OrderChargeType;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column(moneyAmountColumn({ name: 'amount_total' }))
  amountTotal: bigint;

  @Column(moneyAmountColumn({ name: 'application_fee_total' }))
  applicationFeeTotal: bigint;

  @Column(moneyAmountColumn({ name: 'amount_refunded', default: 0 }))
  amountRefunded: bigint;

  /** The Stripe idempotency key of the Checkout Session, derived from the order id. */
  @Column({ name: 'stripe_idempotency_key', type: 'varchar', length: 255 })
  stripeIdempotencyKey: string;

  /** The caller and the API Idempotency-Key that created this order: a retry with it resumes this order. */
  @Column({ name: 'principal_id', type: 'uuid', nullable: true })
  principalId: string | null;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'success_url', type: 'text' })
  successUrl: string;

  @Column({ name: 'cancel_url', type: 'text' })
  cancelUrl: string;

  @Column({ name: 'checkout_session_id', type: 'varchar', length: 255, nullable: true })
  checkoutSessionId: string | null;

  @Column({ name: 'checkout_url', type: 'text', nullable: true })
  checkoutUrl: string | null;

  @Column({ name: 'payment_intent_id', type: 'varchar', length: 255, nullable: true })
  paymentIntentId: string | null;

  @Column({ name: 'charge_id', type: 'varchar', length: 255, nullable: true })
  chargeId: string | null;

  /** The Checkout Session's `on_behalf_of`, fixed with the order (CHECKOUT_ON_BEHALF_OF then): a resumed call sends the same request. */
  @Column({ name: 'stripe_on_behalf_of', type: 'boolean', nullable: true })
  stripeOnBehalfOf: boolean | null;

  /** The destination charge's transfer to the seller. */
  @Column({ name: 'transfer_id', type: 'varchar', length: 255, nullable: true })
  transferId: string | null;

  /** Stripe's processing fee, from the charge's balance transaction. */
  @Column(moneyAmountColumn({ name: 'stripe_fee', nullable: true }))
  stripeFee: bigint | null;

  @Column({ name: 'failure_code', type: 'varchar', length: 64, nullable: true })
  failureCode: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage: string | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  /** When Stripe created the charge (its `created`): a held order's hold is counted from it. */
  @Column({ name: 'charge_created_at', type: 'timestamptz', nullable: true })
  chargeCreatedAt: Date | null;

  /** Days the sellers' funds are held after payment (separate-transfers orders only; 0: transferred at once). */
  @Column({ name: 'hold_days', type: 'int', default: 0 })
  holdDays: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @OneToMany(
    () => OrderLine,
    (line) => line.order,
  )
  lines?: Relation<OrderLine>[];

  @OneToMany(
    () => OrderSeller,
    (s) => s.order,
  )
  sellers?: Relation<OrderSeller>[];

  get total(): Money {
    return Money.of(this.amountTotal, this.currency);
  }

  get refundable(): Money {
    return Money.of(this.amountTotal - this.amountRefunded, this.currency);
  }
}
