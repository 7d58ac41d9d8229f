import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { PayoutRequest } from './payout-request.entity.js';

/** One admin's approval of one request: once per admin (primary key), never the requester's, only in review (a trigger); never changed or removed. */
@Entity({ name: 'payout_approvals' })
export class PayoutApproval {
  @PrimaryColumn({ name: 'request_id', type: 'uuid', primaryKeyConstraintName: 'payout_approvals_pkey' })
  requestId: string;

  @ManyToOne(() => PayoutRequest)
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'payout_approvals_request_id_fkey' })
  request?: Relation<PayoutRequest>;

  @PrimaryColumn({ name: 'admin_id', type: 'uuid', primaryKeyConstraintName: 'payout_approvals_pkey' })
  adminId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'admin_id', foreignKeyConstraintName: 'payout_approvals_admin_id_fkey' })
  admin?: Relation<Principal>;

  /** The Idempotency-Key of the request that made it: a retry with it answers this approval (null before the column existed). */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
