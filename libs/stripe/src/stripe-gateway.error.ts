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

const DEFINITIVE = new Set<StripeErrorCode>([
  'STRIPE.CARD_DECLINED',
  'STRIPE.ACCOUNT_NOT_ENABLED',
  'STRIPE.INSUFFICIENT_BALANCE',
  'STRIPE.INVALID_REQUEST',
  'STRIPE.NOT_FOUND',
  'STRIPE.AUTHENTICATION',
]);

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

  /**
   * Stripe refused this operation for good: it did not happen and the same call will fail again.
   * Anything else (unknown outcome, the key still in flight or reused, rate limits, Stripe
   * unreachable) may have happened or may yet succeed: keep the intent and retry with the key.
   */
  get definitiveRefusal(): boolean {
    return DEFINITIVE.has(this.code);
  }
}

/** Stripe's own error code (e.g. balance_insufficient) and message of a failed call, as admins should see them. */
export function refusalOf(error: unknown): { code: string | null; message: string } {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  if (!(error instanceof StripeGatewayError)) return { code: null, message };
  return { code: (error.info.stripeCode ?? error.code).slice(0, 64), message };
}
