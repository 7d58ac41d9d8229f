import { idempotencyKey, StripeGateway, StripeGatewayError } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { refuseWhenBusy } from '../common/service-busy.js';
import type { Principal } from '../identity/principal.entity.js';
import { CartPricingService } from './cart-pricing.service.js';
import type { CartItem } from './cart.js';
import { OrderLine } from './order-line.entity.js';
import { OrderSeller } from './order-seller.entity.js';
import { Order } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';
import { PaymentsConfig } from './payments.config.js';
import { PaymentsErrors } from './payments.errors.js';

export interface CheckoutInput {
  items: CartItem[];
  successUrl: string;
  cancelUrl: string;
}

/**
 * POST /checkout: transaction 1 records the order (awaiting_payment, with its Stripe idempotency
 * key), then Stripe creates the Checkout Session, then transaction 2 records its id and URL. If
 * Stripe refuses or cannot be reached, the order is marked failed: nothing is left half-made.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly pricing: CartPricingService,
    private readonly orders: OrdersRepository,
    private readonly gateway: StripeGateway,
    private readonly config: PaymentsConfig,
  ) {}

  async checkout(buyer: Principal, input: CheckoutInput): Promise<Order> {
    const orderId = randomUUID();
    const key = idempotencyKey('checkout', orderId);
    // no pooled connection in time for transaction 1: nothing was written, 503 SERVICE.BUSY
    const { cart, splits } = await this.db.transaction(async (tx) => {
      const quoted = await this.pricing.quote(input.items, tx);
      const single = quoted.splits.length === 1;
      await tx.insert(Order, {
        id: orderId,
        buyerId: buyer.id,
        status: 'created',
        chargeType: single ? 'destination' : 'separate_transfers',
        currency: quoted.cart.currency,
        amountTotal: quoted.cart.total.minor,
        applicationFeeTotal: quoted.splits.reduce((sum, s) => sum + s.fee.minor, 0n),
        amountRefunded: 0n,
        stripeIdempotencyKey: key,
        successUrl: input.successUrl,
        cancelUrl: input.cancelUrl,
      });
      await tx.insert(
        OrderLine,
        quoted.cart.lines.map((l) => ({
          orderId,
          listingId: l.listing.id,
          sellerId: l.listing.sellerId,
          title: l.listing.title,
          quantity: l.quantity,
          unitAmount: l.listing.unitPrice.minor,
          amount: l.amount.minor,
        })),
      );
      await tx.insert(
        OrderSeller,
        quoted.splits.map((s) => ({ orderId, sellerId: s.sellerId, stripeAccountId: s.stripeAccountId, subtotal: s.subtotal.minor, fee: s.fee.minor, sellerShare: s.sellerShare.minor })),
      );
      await this.orders.transition(tx, orderId, 'awaiting_payment');
      return quoted;
    }).catch(refuseWhenBusy);

    const single = splits.length === 1 ? splits[0]! : null;
    let session;
    try {
      session = await this.gateway.createCheckoutSession(
        {
          currency: cart.currency,
          lineItems: cart.lines.map((l) => ({ name: l.listing.title, unitAmount: l.listing.unitPrice.minor, quantity: l.quantity })),
          successUrl: input.successUrl,
          cancelUrl: input.cancelUrl,
          metadata: { order_id: orderId },
          transferGroup: orderId,
          ...(single ? { destination: { account: single.stripeAccountId, applicationFeeAmount: single.fee.minor, onBehalfOf: this.config.CHECKOUT_ON_BEHALF_OF } } : {}),
        },
        key,
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const code = error instanceof StripeGatewayError ? error.code : 'UNKNOWN';
      await this.db.transaction((tx) => this.orders.transition(tx, orderId, 'failed', { failureCode: code.slice(0, 64), failureMessage: reason }));
      throw PaymentsErrors.stripeFailed(orderId, reason);
    }
    await this.db.getRepository(Order).update({ id: orderId }, { checkoutSessionId: session.id, checkoutUrl: session.url });
    return (await this.orders.findWithDetails(orderId))!;
  }
}
