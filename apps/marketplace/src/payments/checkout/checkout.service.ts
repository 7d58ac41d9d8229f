import { type CheckoutSessionSnapshot, idempotencyKey, idempotencyKeyMayBeForgotten, StripeGateway, StripeGatewayError, type NewCheckoutSession } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { IdempotencyErrors, isUniqueViolation } from '../../common/idempotency/idempotency.errors.js';
import { refuseWhenBusy } from '../../common/service-busy.js';
import type { Principal } from '../../identity/principal.entity.js';
import { TransferHoldsService } from '../../transfers/index.js';
import { CartPricingService } from './cart-pricing.service.js';
import type { CartItem } from './cart.js';
import { OrderLine } from '../orders/order-line.entity.js';
import { OrderSeller } from '../orders/order-seller.entity.js';
import { Order } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { PaymentsConfig } from '../payments.config.js';
import { PaymentsErrors } from '../payments.errors.js';

export interface CheckoutInput {
  items: CartItem[];
  successUrl: string;
  cancelUrl: string;
  /** The checkout's hold (multi-seller carts only); absent: the platform's. */
  holdDays?: number;
}

/**
 * POST /checkout: transaction 1 records the order (awaiting_payment, with its Stripe idempotency
 * key, bound to the caller's Idempotency-Key), then Stripe creates the Checkout Session, then
 * transaction 2 records its id and URL. If Stripe refuses or cannot be reached, the order is marked
 * failed: nothing is left half-made. A retry or a takeover with the same Idempotency-Key resumes
 * that order (the same Stripe call, key `checkout:<orderId>`, parameters from the stored rows).
 */
@Injectable()
export class CheckoutService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly pricing: CartPricingService,
    private readonly orders: OrdersRepository,
    private readonly gateway: StripeGateway,
    private readonly config: PaymentsConfig,
    private readonly holds: TransferHoldsService,
  ) {}

  async checkout(buyer: Principal, input: CheckoutInput, requestKey: string): Promise<Order> {
    // the first read: no connection in time means nothing was written (503 SERVICE.BUSY, a refusal)
    const bound = await this.db.getRepository(Order).findOneBy({ principalId: buyer.id, idempotencyKey: requestKey }).catch(refuseWhenBusy);
    if (bound) return this.resume(bound.id);
    const orderId = randomUUID();
    const key = idempotencyKey('checkout', orderId);
    const recorded = await this.db
      .transaction(async (tx) => {
        const quoted = await this.pricing.quote(input.items, tx);
        const single = quoted.splits.length === 1;
        const holdDays = this.holds.holdDaysFor(input.holdDays, quoted.splits.length);
        await tx.insert(Order, {
          id: orderId,
          buyerId: buyer.id,
          status: 'created',
          chargeType: single ? 'destination' : 'separate_transfers',
          currency: quoted.cart.currency,
          amountTotal: quoted.cart.total.minor,
          applicationFeeTotal: quoted.splits.reduce((sum, s) => sum + s.fee.minor, 0n),
          amountRefunded: 0n,
          holdDays,
          stripeIdempotencyKey: key,
          principalId: buyer.id,
          idempotencyKey: requestKey,
          stripeOnBehalfOf: this.config.CHECKOUT_ON_BEHALF_OF,
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
      })
      .catch((error: unknown) => {
        // another request with this key recorded its order first: that one is the key's order
        // no pooled connection in time for transaction 1: nothing was written, 503 SERVICE.BUSY
        if (!isUniqueViolation(error, 'orders_idempotency_key_idx')) refuseWhenBusy(error);
        return null;
      });
    if (!recorded) return this.resume((await this.db.getRepository(Order).findOneBy({ principalId: buyer.id, idempotencyKey: requestKey }))!.id);
    return this.createSession((await this.orders.findWithDetails(orderId))!);
  }

  /** The order a key created, finished: its session if recorded, its failure, or the Stripe call made (again). */
  private async resume(orderId: string): Promise<Order> {
    const order = (await this.orders.findWithDetails(orderId))!;
    if (order.checkoutSessionId) return order;
    if (order.status === 'failed') throw PaymentsErrors.stripeFailed(order.id, order.failureCode ?? 'UNKNOWN');
    return this.createSession(order);
  }

  /**
   * An order stranded between transaction 1 and the Stripe call (the process died, and the buyer
   * never retried): nobody has its checkout link. While Stripe still knows the key, the same call
   * finds (or makes) its session, which is then expired so it can never be paid; either way the
   * order is expired. A session the buyer somehow completed is left to its payment events.
   */
  async expireStranded(orderId: string): Promise<void> {
    const order = await this.orders.findWithDetails(orderId);
    if (order?.status !== 'awaiting_payment' || order.checkoutSessionId) return;
    if (!idempotencyKeyMayBeForgotten(order.createdAt)) {
      const session = await this.gateway.createCheckoutSession(checkoutSessionParams(order, order.stripeOnBehalfOf ?? this.config.CHECKOUT_ON_BEHALF_OF), idempotencyKey('checkout', order.id));
      if (session.status === 'complete') return;
      if (session.status === 'open') await this.gateway.expireCheckoutSession(session.id, idempotencyKey('checkout-expire', order.id));
      await this.db.getRepository(Order).update({ id: order.id, checkoutSessionId: IsNull() }, { checkoutSessionId: session.id });
    }
    // Stripe expires sessions after 24 h on its own: past our key's horizon there is nothing to end
    await this.db.transaction((tx) => this.orders.transition(tx, order.id, 'expired', { failureCode: 'STRANDED', failureMessage: 'The checkout was interrupted before its link was handed out' }));
  }

  private async createSession(order: Order): Promise<Order> {
    let session: CheckoutSessionSnapshot;
    try {
      session = await this.gateway.createCheckoutSession(checkoutSessionParams(order, order.stripeOnBehalfOf ?? this.config.CHECKOUT_ON_BEHALF_OF), idempotencyKey('checkout', order.id));
    } catch (error) {
      // Stripe still has the key in flight: another request of ours is making this very session
      if (error instanceof StripeGatewayError && error.code === 'STRIPE.IDEMPOTENCY_CONFLICT' && error.info.httpStatus === 409) throw IdempotencyErrors.inFlight();
      const code = error instanceof StripeGatewayError ? error.code : 'UNKNOWN';
      // below Stripe's minimum once converted to the platform's settlement currency (a ¥60 cart on a
      // USD platform is about $0.40): a refusal of this cart, not an outage
      if (error instanceof StripeGatewayError && error.info.stripeCode === 'amount_too_small') {
        await this.db.transaction((tx) =>
          this.orders.transition(tx, order.id, 'failed', { failureCode: 'amount_too_small', failureMessage: 'The total is below the minimum Stripe charges in the platform’s settlement currency' }),
        );
        throw PaymentsErrors.totalBelowSettlementMinimum(order.id, order.currency, order.amountTotal);
      }
      // Stripe's (or the transport's) own text goes to the log with the error, not to the buyer
      await this.db.transaction((tx) => this.orders.transition(tx, order.id, 'failed', { failureCode: code.slice(0, 64), failureMessage: 'Stripe could not create the Checkout Session' }));
      throw PaymentsErrors.stripeFailed(order.id, code, error);
    }
    await this.db.getRepository(Order).update({ id: order.id }, { checkoutSessionId: session.id, checkoutUrl: session.url });
    return (await this.orders.findWithDetails(order.id))!;
  }
}

/**
 * The Checkout Session of a recorded order, from its stored rows only (lines in listing order), so
 * a resumed call sends Stripe the same parameters under the same key.
 */
export function checkoutSessionParams(order: Order, onBehalfOf: boolean): NewCheckoutSession {
  const lines = [...order.lines!].sort((a, b) => (a.listingId < b.listingId ? -1 : a.listingId > b.listingId ? 1 : 0));
  const single = order.chargeType === 'destination' ? order.sellers![0]! : null;
  return {
    currency: order.currency,
    lineItems: lines.map((l) => ({ name: l.title, unitAmount: l.unitAmount, quantity: l.quantity })),
    successUrl: order.successUrl,
    cancelUrl: order.cancelUrl,
    metadata: { order_id: order.id },
    transferGroup: order.id,
    ...(single ? { destination: { account: single.stripeAccountId, applicationFeeAmount: single.fee, onBehalfOf } } : {}),
  };
}
