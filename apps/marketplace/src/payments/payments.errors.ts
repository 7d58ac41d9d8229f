import { DomainError } from '../common/domain-error.js';

export const PaymentsErrors = {
  emptyCart: () => new DomainError('CHECKOUT.EMPTY_CART', 'The cart has no items', 'invalid'),
  invalidQuantity: (listingId: string, quantity: unknown) =>
    new DomainError('CHECKOUT.INVALID_QUANTITY', `Quantity of listing ${listingId} must be a whole number of at least 1 (got ${String(quantity)})`, 'invalid', { listingId, quantity }),
  mixedCurrencies: (currencies: string[]) => new DomainError('CHECKOUT.MIXED_CURRENCIES', `A cart is charged in one currency; it has ${currencies.join(', ')}`, 'unprocessable', { currencies }),
  totalTooLarge: (total: bigint, max: bigint) =>
    new DomainError('CHECKOUT.AMOUNT_TOO_LARGE', `The total ${total} is above Stripe's maximum charge of ${max} minor units`, 'unprocessable', {
      total: total.toString(),
      max: max.toString(),
    }),
  totalBelowSettlementMinimum: (orderId: string, currency: string, total: bigint) =>
    new DomainError(
      'CHECKOUT.AMOUNT_TOO_SMALL',
      `The total ${total} ${currency} converts to less than Stripe's minimum charge in the platform's settlement currency; order ${orderId} is marked failed`,
      'unprocessable',
      { orderId, currency, total: total.toString() },
    ),
  totalTooSmall: (currency: string, total: bigint, minimum: bigint) =>
    new DomainError('CHECKOUT.AMOUNT_TOO_SMALL', `The total ${total} is below Stripe's minimum charge of ${minimum} minor units in ${currency}`, 'unprocessable', {
      currency,
      minimum: minimum.toString(),
      total: total.toString(),
    }),
  totalGranularity: (currency: string, total: bigint, granularity: bigint) =>
    new DomainError(
      'CHECKOUT.AMOUNT_GRANULARITY',
      `The total ${total} cannot be charged in ${currency}: Stripe takes only multiples of ${granularity} minor units (the last digit 0)`,
      'unprocessable',
      { currency, granularity: granularity.toString(), total: total.toString() },
    ),
  stripeFailed: (orderId: string, stripeCode: string, cause?: unknown) =>
    new DomainError(
      'CHECKOUT.PAYMENT_PROVIDER_FAILED',
      `Stripe could not create the Checkout Session; order ${orderId} is marked failed. Check out again with a new Idempotency-Key; the details are logged under this request id`,
      'unavailable',
      { orderId, stripeCode },
      cause,
    ),
  refundTooLarge: (orderId: string, asked: bigint, remaining: bigint) =>
    new DomainError('REFUNDS.AMOUNT_TOO_LARGE', `Order ${orderId} has ${remaining} minor units left to refund; ${asked} was asked`, 'unprocessable', {
      orderId,
      amount: asked.toString(),
      remaining: remaining.toString(),
    }),
  refundAmountRequired: () => new DomainError('REFUNDS.AMOUNT_REQUIRED', 'Send amount (whole minor units) to refund part of the order, or "full": true to refund all that remains', 'invalid'),
  refundAmountAndFull: () => new DomainError('REFUNDS.AMOUNT_AND_FULL', 'Send either amount or "full": true, not both', 'invalid'),
  invalidRefundAmount: () => new DomainError('REFUNDS.INVALID_AMOUNT', 'amount must be a whole number of minor units, at least 1', 'invalid'),
  refundGranularity: (orderId: string, currency: string, asked: bigint, granularity: bigint) =>
    new DomainError(
      'REFUNDS.AMOUNT_GRANULARITY',
      `A refund in ${currency} must be a multiple of ${granularity} minor units (Stripe takes only amounts whose last digit is 0); ${asked} was asked`,
      'unprocessable',
      { orderId, currency, amount: asked.toString(), granularity: granularity.toString() },
    ),
  notRefundable: (orderId: string, status: string) =>
    new DomainError('REFUNDS.ORDER_NOT_REFUNDABLE', `Order ${orderId} is ${status}: only paid or partially refunded orders can be refunded`, 'unprocessable', { orderId, status }),
  multiSellerRefund: (orderId: string) =>
    new DomainError(
      'REFUNDS.MULTI_SELLER_NOT_SUPPORTED',
      `Order ${orderId} has several sellers; refunding it means reversing each seller's transfer in proportion, which is not supported yet`,
      'unprocessable',
      { orderId },
    ),
  refundInProgress: (orderId: string, refundId: string) =>
    new DomainError('REFUNDS.IN_PROGRESS', `Refund ${refundId} of order ${orderId} is still being made; retry once it has finished`, 'conflict', { orderId, refundId }),
  refundFailed: (refundId: string, stripeCode: string, cause?: unknown) =>
    new DomainError(
      'REFUNDS.PAYMENT_PROVIDER_FAILED',
      `Stripe did not confirm refund ${refundId}; it stays on record and is finished or failed from what Stripe reports (see the refund's status). The details are logged under this request id`,
      'unavailable',
      { refundId, stripeCode },
      cause,
    ),
  sellerRefundsDisabled: () => new DomainError('REFUNDS.FORBIDDEN', 'Sellers may not refund orders on this platform', 'forbidden'),
};
