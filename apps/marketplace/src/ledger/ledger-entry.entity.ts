import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { LedgerLine } from './ledger-line.entity.js';

/** One journal entry. Append-only: the database rejects UPDATE and DELETE (migration LedgerJournal). */
@Entity({ name: 'ledger_entries' })
@Index('ledger_entries_idempotency_key_idx', ['idempotencyKey'], { unique: true })
@Index('ledger_entries_reference_idx', ['referenceType', 'referenceId'])
@Index('ledger_entries_created_idx', ['createdAt'])
@Index('ledger_entries_reverses_entry_idx', ['reversesEntryId'], { unique: true, where: 'reverses_entry_id IS NOT NULL' })
export class LedgerEntry {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 64 })
  kind: string;

  @Column({ name: 'reference_type', type: 'varchar', length: 64 })
  referenceType: string;

  @Column({ name: 'reference_id', type: 'varchar', length: 255 })
  referenceId: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'reverses_entry_id', type: 'uuid', nullable: true })
  reversesEntryId: string | null;

  @ManyToOne(() => LedgerEntry)
  @JoinColumn({ name: 'reverses_entry_id', foreignKeyConstraintName: 'ledger_entries_reverses_entry_id_fkey' })
  reversesEntry?: Relation<LedgerEntry>;

  @OneToMany(
    () => LedgerLine,
    (line) => line.entry,
  )
  lines?: Relation<LedgerLine>[];
}
