import { moneyAmountColumn } from '@app/money';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Principal } from '../../identity/principal.entity.js';
import { Listing } from '../../listings/listing.entity.js';
import { Order } from './order.entity.js';

/** What was bought: the listing, at the unit amount it had at checkout. */
@Entity({ name: 'order_lines' })
@Check('order_lines_quantity_check', `quantity >= 1`)
@Check('order_lines_amounts_check', `unit_amount >= 1 AND amount = unit_amount * quantity`)
@Index('order_lines_seller_idx', ['sellerId'])
export class OrderLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('order_lines_order_idx')
  @Column({ name: 'order_id', type: 'uuid' })
  orderId: string;

  @ManyToOne(
    () => Order,
    (order) => order.lines,
  )
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_lines_order_id_fkey' })
  order?: Relation<Order>;

  @Column({ name: 'listing_id', type: 'uuid' })
  listingId: string;

  @ManyToOne(() => Listing)
  @JoinColumn({ name: 'listing_id', foreignKeyConstraintName: 'order_lines_listing_id_fkey' })
  listing?: Relation<Listing>;

  @Column({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal)
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'order_lines_seller_id_fkey' })
  seller?: Relation<Principal>;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'integer' })
  quantity: number;

  @Column(moneyAmountColumn({ name: 'unit_amount' }))
  unitAmount: bigint;

  @Column(moneyAmountColumn())
  amount: bigint;
}
