import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ensureVisibleTo } from '../../identity/ownership.js';
import type { Principal } from '../../identity/principal.entity.js';
import { TransferReversal, TransfersService } from '../../transfers/index.js';
import type { Transfer } from '../../transfers/transfer.entity.js';
import { Dispute } from '../disputes/dispute.entity.js';
import type { Order } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';
import { Refund } from '../refunds/refund.entity.js';

/** Reading orders: the buyer, the sellers with lines in it (their lines only, see toOrderResponse), admins; others 404. */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly transfers: TransfersService,
  ) {}

  async getVisible(viewer: Principal, orderId: string): Promise<{ order: Order; refunds: Refund[]; disputes: Dispute[]; transfers: Transfer[]; transferReversals: TransferReversal[] }> {
    // one snapshot: the order, its refunds and disputes as of the same moment (never a refund settled
    // next to an order read before it)
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const found = await this.orders.findWithDetails(orderId, tx);
      const order = ensureVisibleTo(viewer, found, (o) => [o.buyerId, ...(o.lines ?? []).map((l) => l.sellerId)], 'Order', orderId);
      const refunds = await tx.getRepository(Refund).find({ where: { orderId }, order: { createdAt: 'ASC', id: 'ASC' } });
      const disputes = await tx.getRepository(Dispute).find({ where: { orderId }, order: { createdAt: 'ASC' } });
      const transfers = await this.transfers.ofOrder(orderId, viewer, tx);
      const transferReversals = (await tx.getRepository(TransferReversal).find({ where: { orderId }, order: { createdAt: 'ASC', id: 'ASC' } })).filter(
        (r) => viewer.role !== 'seller' || r.sellerId === viewer.id,
      );
      return { order, refunds, disputes, transfers, transferReversals };
    });
  }
}
