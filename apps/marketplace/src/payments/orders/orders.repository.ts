import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '../../common/ids.js';
import { OrderLine } from './order-line.entity.js';
import { OrderSeller } from './order-seller.entity.js';
import { allowedFrom, type OrderStatus } from './order-status.js';
import { Order } from './order.entity.js';

type OrderChanges = Partial<
  Pick<Order, 'checkoutSessionId' | 'checkoutUrl' | 'paymentIntentId' | 'chargeId' | 'transferId' | 'stripeFee' | 'failureCode' | 'failureMessage' | 'paidAt' | 'chargeCreatedAt' | 'amountRefunded'>
>;

/** Reads orders and changes their status, only ever through ORDER_TRANSITIONS. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Moves the order to `to` if its current status allows it (a guarded UPDATE ... WHERE status IN
   * the allowed-from list), with other columns changed in the same statement. Returns whether it
   * moved: false means another writer got there first or the move is not allowed (callers decide).
   */
  async transition(tx: EntityManager, orderId: string, to: OrderStatus, changes: OrderChanges = {}): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(Order)
      .set({ ...changes, status: to })
      .where('id = :orderId AND status IN (:...from)', { orderId, from: allowedFrom(to) })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async lock(tx: EntityManager, orderId: string): Promise<Order | null> {
    if (!isUuid(orderId)) return null;
    return tx.findOne(Order, { where: { id: orderId }, lock: { mode: 'pessimistic_write' } });
  }

  async findByChargeOrIntent(tx: EntityManager, ref: { chargeId?: string | null; paymentIntentId?: string | null; orderId?: string | null }): Promise<Order | null> {
    if (ref.chargeId) {
      const byCharge = await tx.findOneBy(Order, { chargeId: ref.chargeId });
      if (byCharge) return byCharge;
    }
    if (ref.paymentIntentId) {
      const byIntent = await tx.findOneBy(Order, { paymentIntentId: ref.paymentIntentId });
      if (byIntent) return byIntent;
    }
    return ref.orderId && isUuid(ref.orderId) ? tx.findOneBy(Order, { id: ref.orderId }) : null;
  }

  async findWithDetails(orderId: string, manager?: EntityManager): Promise<Order | null> {
    if (!isUuid(orderId)) return null;
    return (manager ?? this.db.manager).findOne(Order, {
      where: { id: orderId },
      relations: { lines: true, sellers: true },
      order: { lines: { id: 'ASC' } },
    });
  }

  sellersOf(tx: EntityManager, orderId: string): Promise<OrderSeller[]> {
    return tx.find(OrderSeller, { where: { orderId }, order: { sellerId: 'ASC' } });
  }

  linesOf(tx: EntityManager, orderId: string): Promise<OrderLine[]> {
    return tx.find(OrderLine, { where: { orderId } });
  }
}
