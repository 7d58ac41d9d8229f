import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { Order } from '../payments/orders/order.entity.js';
import { Transfer } from './transfer.entity.js';

/** `transfer_reversal`: Stripe refused the reversal (balance_insufficient); `transfer_lowering`: a refund wanted more than was left of a transfer not sent yet. */
export type SellerDebtOrigin = 'transfer_reversal' | 'transfer_lowering';

/** What a seller owes the platform, per seller and currency, with its origin; recovered from their next transfers. */
@Entity({ name: 'seller_debts' })
@Check('seller_debts_origin_type_check', `origin_type IN ('transfer_reversal', 'transfer_lowering')`)
@Check('seller_debts_amounts_check', `amount > 0 AND recovered >= 0 AND canceled >= 0 AND recovered + canceled <= amount`)
@Check('seller_debts_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Index('seller_debts_origin_idx', ['originType', 'originId'], { unique: true })
@Index('seller_debts_open_idx', ['sellerId', 'currency', 'createdAt'], { where: 'recovered < amount' })
export class SellerDebt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'seller_debts_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column(moneyAmountColumn())
  amount: bigint;

  /** Netted from later transfers so far (seller_debt_recoveries). */
  @Column(moneyAmountColumn({ default: 0 }))
  recovered: bigint;

  /** Canceled, never recovered: the refund it came from failed at Stripe (the buyer's money came back). */
  @Column(moneyAmountColumn({ default: 0 }))
  canceled: bigint;

  @Column({ name: 'origin_type', type: 'varchar', length: 32 })
  originType: SellerDebtOrigin;

  /** The transfer_reversals row it came from. */
  @Column({ name: 'origin_id', type: 'uuid' })
  originId: string;

  @Column({ name: 'order_id', type: 'uuid', nullable: true })
  orderId: string | null;

  @ManyToOne(() => Order)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'seller_debts_order_id_fkey' })
  order?: Relation<Order>;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'cleared_at', type: 'timestamptz', nullable: true })
  clearedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A debt (or part of it) netted from a seller's transfer before it was made. */
@Entity({ name: 'seller_debt_recoveries' })
@Check('seller_debt_recoveries_amount_check', `amount > 0`)
@Index('seller_debt_recoveries_debt_transfer_idx', ['debtId', 'transferId'], { unique: true })
export class SellerDebtRecovery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'debt_id', type: 'uuid' })
  debtId: string;

  @ManyToOne(() => SellerDebt)
  @JoinColumn({ name: 'debt_id', foreignKeyConstraintName: 'seller_debt_recoveries_debt_id_fkey' })
  debt?: Relation<SellerDebt>;

  @Column({ name: 'transfer_id', type: 'uuid' })
  transferId: string;

  @ManyToOne(() => Transfer)
  @JoinColumn({ name: 'transfer_id', foreignKeyConstraintName: 'seller_debt_recoveries_transfer_id_fkey' })
  transfer?: Relation<Transfer>;

  @Column(moneyAmountColumn())
  amount: bigint;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
