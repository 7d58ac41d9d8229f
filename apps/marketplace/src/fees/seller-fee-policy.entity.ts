import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';

/** An admin's fee policy for one seller, replacing the platform default. */
@Entity({ name: 'seller_fee_policies' })
@Check('seller_fee_policies_basis_points_check', `basis_points BETWEEN 0 AND 10000`)
export class SellerFeePolicy {
  @PrimaryColumn({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'seller_fee_policies_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ name: 'basis_points', type: 'int' })
  basisPoints: number;

  /** Currency -> minor units as integer strings (never JSON numbers: no float on the way). */
  @Column({ name: 'fixed_amounts', type: 'jsonb', default: () => `'{}'` })
  fixedAmounts: Record<string, string>;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
