export type StripeErrorCode =
  | 'STRIPE.CARD_DECLINED'
  | 'STRIPE.ACCOUNT_NOT_ENABLED'
  | 'STRIPE.INSUFFICIENT_BALANCE'
  | 'STRIPE.RATE_LIMITED'
  | 'STRIPE.IDEMPOTENCY_CONFLICT'
  | 'STRIPE.INVALID_REQUEST'
  | 'STRIPE.NOT_FOUND'
  | 'STRIPE.AUTHENTICATION'
  | 'STRIPE.OUTCOME_UNKNOWN'
  | 'STRIPE.UNAVAILABLE';

/** A failed Stripe call, in our words. No Stripe type leaves libs/stripe. */
export class StripeGatewayError extends Error {
  constructor(
    readonly code: StripeErrorCode,
    message: string,
    readonly info: {
      httpStatus?: number;
      stripeCode?: string;
      declineCode?: string;
      param?: string;
      requestId?: string;
      idempotencyKey?: string;
    } = {},
  ) {
    super(message);
    this.name = 'StripeGatewayError';
  }

  /** The call may have taken effect: retry with the same idempotency key, or look the object up. */
  get outcomeUnknown(): boolean {
    return this.code === 'STRIPE.OUTCOME_UNKNOWN';
  }
}
