import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ensureVisibleTo } from '../../identity/ownership.js';
import type { Principal } from '../../identity/principal.entity.js';
import { TransferHoldsService } from '../../transfers/index.js';
import { TransfersErrors } from '../../transfers/transfers.errors.js';
import { PAID_STATUSES } from './order-status.js';
import { OrdersRepository } from './orders.repository.js';

/**
 * POST /orders/:id/release: who may act on a held order and what their act means. The buyer
 * confirms receipt (every seller's part is released now), an admin releases (the same), a seller
 * of the order marks their own part fulfilled (recorded; it starts that part's automatic release).
 * Anyone else sees a 404. A repeat changes nothing and answers the order as it is.
 */
@Injectable()
export class OrderReleaseService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly holds: TransferHoldsService,
  ) {}

  async release(viewer: Principal, orderId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const locked = await this.orders.lock(tx, orderId);
      const lines = locked ? await this.orders.linesOf(tx, orderId) : [];
      const order = ensureVisibleTo(viewer, locked, (o) => [o.buyerId, ...lines.map((l) => l.sellerId)], 'Order', orderId);
      if (order.chargeType === 'destination') throw TransfersErrors.releaseNotSupported(orderId);
      if (!PAID_STATUSES.includes(order.status)) throw TransfersErrors.orderNotPaid(orderId, order.status);
      if (order.holdDays === 0) throw TransfersErrors.notHeld(orderId);
      if (viewer.role === 'admin') await this.holds.releaseByAdmin(tx, orderId, viewer);
      else if (viewer.id === order.buyerId) await this.holds.confirmReceived(tx, orderId, viewer);
      else await this.holds.markFulfilled(tx, orderId, viewer);
    });
  }
}
