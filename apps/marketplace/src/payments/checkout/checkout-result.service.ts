import { formatMoney, Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Order } from '../orders/order.entity.js';
import type { CheckoutResultView } from './checkout-result.page.js';

/** The order behind a Checkout Session, as the buyer's success page shows it. */
@Injectable()
export class CheckoutResultService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async bySession(sessionId: string): Promise<CheckoutResultView | null> {
    const order = await this.db.getRepository(Order).findOne({ where: { checkoutSessionId: sessionId }, relations: { lines: true }, order: { lines: { id: 'ASC' } } });
    if (!order) return null;
    return {
      orderId: order.id,
      status: order.status,
      display: formatMoney(Money.of(order.amountTotal, order.currency)),
      lines: (order.lines ?? []).map((l) => ({ title: l.title, quantity: l.quantity })),
    };
  }
}
