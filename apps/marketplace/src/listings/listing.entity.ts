import { Money, moneyAmountColumn } from '@app/money';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';

export const LISTING_STATUSES = ['active', 'inactive'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** Stripe's largest charge amount (USD 999,999.99), used as the cap for one line's unit amount. */
export const MAX_UNIT_AMOUNT = 99_999_999n;

@Entity({ name: 'listings' })
@Check('listings_unit_amount_check', `unit_amount BETWEEN 1 AND 99999999`)
@Check('listings_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('listings_status_check', `status IN ('active', 'inactive')`)
@Index('listings_seller_status_idx', ['sellerId', 'status', 'createdAt'])
@Index('listings_status_idx', ['status', 'createdAt'])
export class Listing {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'listings_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column(moneyAmountColumn({ name: 'unit_amount' }))
  unitAmount: bigint;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ListingStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;

  get unitPrice(): Money {
    return Money.of(this.unitAmount, this.currency);
  }

  /** active -> inactive, once; deactivating an inactive listing changes nothing (returns false). */
  deactivate(at: Date = new Date()): boolean {
    if (this.status === 'inactive') return false;
    this.status = 'inactive';
    this.deactivatedAt = at;
    return true;
  }
}
