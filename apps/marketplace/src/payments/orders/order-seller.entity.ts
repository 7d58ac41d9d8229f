import { moneyAmountColumn } from '@app/money';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Principal } from '../../identity/principal.entity.js';
import { Order } from './order.entity.js';

/** One seller's part of an order: their subtotal, the platform's fee on it (quoted once) and their share. */
@Entity({ name: 'order_sellers' })
@Check('order_sellers_split_check', `fee >= 0 AND seller_share >= 0 AND fee + seller_share = subtotal`)
@Index('order_sellers_seller_idx', ['sellerId'])
export class OrderSeller {
  @PrimaryColumn({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(
    () => Order,
    (order) => order.sellers,
  )
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_sellers_order_id_fkey' })
  order?: Relation<Order>;

  @PrimaryColumn({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'order_sellers_seller_id_fkey' })
  seller?: Relation<Principal>;

  /** The seller's connected account at checkout. */
  @Column({ name: 'stripe_account_id', type: 'varchar', length: 255 })
  stripeAccountId: string;

  @Column(moneyAmountColumn())
  subtotal: bigint;

  @Column(moneyAmountColumn())
  fee: bigint;

  @Column(moneyAmountColumn({ name: 'seller_share' }))
  sellerShare: bigint;
}
