import { moneyAmountColumn } from '@app/money';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import type { LedgerAccountCode } from './chart-of-accounts.js';
import { LedgerEntry } from './ledger-entry.entity.js';

/** One line of an entry: debit positive, credit negative, in minor units. Append-only. */
@Entity({ name: 'ledger_lines' })
@Check('ledger_lines_amount_check', `amount <> 0`)
@Check('ledger_lines_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check(
  'ledger_lines_account_check',
  `account IN ('platform_cash_pending', 'platform_cash_available', 'connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available', 'platform_fee_revenue', 'platform_fee_refunds', 'refund_losses', 'stripe_processing_fees', 'dispute_funds_withdrawn', 'dispute_fees', 'dispute_recoveries', 'seller_debts', 'transfers_to_other_accounts', 'platform_payouts')`,
)
@Check(
  'ledger_lines_seller_check',
  `(account IN ('connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available', 'seller_debts')) = (seller_id IS NOT NULL)`,
)
@Index('ledger_lines_account_idx', ['account', 'currency', 'sellerId'])
@Index('ledger_lines_stripe_account_txn_idx', ['stripeAccount', 'stripeBalanceTransactionId'], { where: 'stripe_balance_transaction_id IS NOT NULL' })
export class LedgerLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('ledger_lines_entry_idx')
  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @ManyToOne(
    () => LedgerEntry,
    (entry) => entry.lines,
  )
  @JoinColumn({ name: 'entry_id', foreignKeyConstraintName: 'ledger_lines_entry_id_fkey' })
  entry?: Relation<LedgerEntry>;

  @Column({ type: 'varchar', length: 64 })
  account: LedgerAccountCode;

  /** The seller's principal id on per-seller accounts (their sub-ledger), else null. */
  @Column({ name: 'seller_id', type: 'uuid', nullable: true })
  sellerId: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'ledger_lines_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column(moneyAmountColumn())
  amount: bigint;

  /** The Stripe object that moved this amount (ch_, tr_, py_, re_, trr_, fr_, dp_, po_...), if it came from Stripe. */
  @Index('ledger_lines_stripe_object_idx', { where: 'stripe_object_id IS NOT NULL' })
  @Column({ name: 'stripe_object_id', type: 'varchar', length: 255, nullable: true })
  stripeObjectId: string | null;

  /** That object's balance transaction (txn_...). */
  @Index('ledger_lines_balance_transaction_idx', { where: 'stripe_balance_transaction_id IS NOT NULL' })
  @Column({ name: 'stripe_balance_transaction_id', type: 'varchar', length: 255, nullable: true })
  stripeBalanceTransactionId: string | null;

  /** The Stripe balance the amount sits in: a connected account id, null for the platform's. */
  @Column({ name: 'stripe_account', type: 'varchar', length: 255, nullable: true })
  stripeAccount: string | null;

  /** When Stripe makes the funds available (the balance transaction's available_on). */
  @Index('ledger_lines_pending_cash_idx', { where: `account IN ('platform_cash_pending', 'connected_cash_pending')` })
  @Column({ name: 'available_on', type: 'timestamptz', nullable: true })
  availableOn: Date | null;
}
