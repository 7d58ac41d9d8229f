import { moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { LedgerLine } from './ledger-line.entity.js';

export type PayoutAllocationKind = 'allocated' | 'released';

/**
 * One part of what a payout paid out: a seller's available-cash line (or, without a line, what the
 * ledger could not cover), `allocated` with the payout's entry, `released` (negated) with the entry
 * that returned the payout. Append-only (migration LedgerPayoutAllocations).
 */
@Entity({ name: 'ledger_payout_allocations' })
@Check('ledger_payout_allocations_amount_check', `amount <> 0`)
@Check('ledger_payout_allocations_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('ledger_payout_allocations_kind_check', `kind IN ('allocated', 'released')`)
@Check('ledger_payout_allocations_release_check', `(kind = 'allocated') = (entry_id = payout_entry_id)`)
@Index('ledger_payout_allocations_entry_position_idx', ['entryId', 'position'], { unique: true })
@Index('ledger_payout_allocations_line_idx', ['lineId'], { where: 'line_id IS NOT NULL' })
@Index('ledger_payout_allocations_payout_idx', ['payoutEntryId'])
@Index('ledger_payout_allocations_seller_idx', ['sellerId', 'currency'])
@Index('ledger_payout_allocations_stripe_payout_idx', ['stripePayoutId'])
export class LedgerPayoutAllocation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The entry that wrote the row: the payout's own (allocated) or its return's (released). */
  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @ManyToOne(() => LedgerEntry)
  @JoinColumn({ name: 'entry_id', foreignKeyConstraintName: 'ledger_payout_allocations_entry_id_fkey' })
  entry?: Relation<LedgerEntry>;

  @Column({ name: 'payout_entry_id', type: 'uuid' })
  payoutEntryId: string;

  @ManyToOne(() => LedgerEntry)
  @JoinColumn({ name: 'payout_entry_id', foreignKeyConstraintName: 'ledger_payout_allocations_payout_entry_id_fkey' })
  payoutEntry?: Relation<LedgerEntry>;

  @Column({ name: 'stripe_payout_id', type: 'varchar', length: 255 })
  stripePayoutId: string;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'ledger_payout_allocations_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The connected_cash_available line paid out; null: the part the ledger had no available movement for. */
  @Column({ name: 'line_id', type: 'uuid', nullable: true })
  lineId: string | null;

  @ManyToOne(() => LedgerLine)
  @JoinColumn({ name: 'line_id', foreignKeyConstraintName: 'ledger_payout_allocations_line_id_fkey' })
  line?: Relation<LedgerLine>;

  @Column(moneyAmountColumn())
  amount: bigint;

  @Column({ type: 'varchar', length: 16 })
  kind: PayoutAllocationKind;

  /** The row's place among its entry's rows (oldest movement first). */
  @Column({ type: 'int' })
  position: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
