import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';

export type AuditActorRole = 'admin' | 'seller' | 'buyer' | 'system' | 'stripe';

/** One action on a subject (e.g. a payout request): who, when, what, before and after. Append-only: the database refuses UPDATE, DELETE and TRUNCATE. */
@Entity({ name: 'audit_log' })
@Check('audit_log_actor_role_check', `actor_role IN ('admin', 'seller', 'buyer', 'system', 'stripe')`)
@Index('audit_log_subject_idx', ['subjectType', 'subjectId', 'id'])
export class AuditEntry {
  /** The log's own order (bigserial; node-postgres reads it as a string). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 255 })
  subjectId: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'audit_log_actor_id_fkey' })
  actor?: Relation<Principal>;

  @Column({ name: 'actor_role', type: 'varchar', length: 16 })
  actorRole: AuditActorRole;

  @Column({ type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after: object | null;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
