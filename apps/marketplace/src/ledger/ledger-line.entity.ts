import { moneyAmountColumn } from '@app/money';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import type { LedgerAccountCode } from './chart-of-accounts.js';
import { LedgerEntry } from './ledger-entry.entity.js';

/** One line of an entry: debit positive, credit negative, in minor units. Append-only. */
@Entity({ name: 'ledger_lines' })
@Check('ledger_lines_amount_check', `amount <> 0`)
@Check('ledger_lines_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Index('ledger_lines_account_idx', ['account', 'currency', 'sellerId'])
export class LedgerLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('ledger_lines_entry_idx')
  @Column({ name: 'entry_id', type: 'uuid' })
  entryId: string;

  @ManyToOne(() => LedgerEntry, (entry) => entry.lines)
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
}
