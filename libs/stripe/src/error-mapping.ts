import Stripe from 'stripe';
import { StripeGatewayError, type StripeErrorCode } from './stripe-gateway.error.js';

const ACCOUNT_NOT_ENABLED = new Set([
  'account_invalid',
  'account_inactive',
  'account_not_verified',
  'charges_not_enabled',
  'payouts_not_allowed',
  'transfers_not_allowed',
  'insufficient_capabilities_for_transfer',
  'platform_account_required',
]);
const INSUFFICIENT = new Set(['balance_insufficient', 'insufficient_funds']);
const IDEMPOTENCY = new Set(['idempotency_key_in_use', 'idempotency_error']);

export function isStripeError(e: unknown): e is Stripe.errors.StripeError {
  return e instanceof Stripe.errors.StripeError;
}

/** Whether another attempt may succeed: rate limits, a key still in flight, 5xx, lost connections. */
export function isRetryable(e: unknown): boolean {
  if (!isStripeError(e)) return false;
  if (e.headers?.['stripe-should-retry'] === 'false') return false;
  if (e.headers?.['stripe-should-retry'] === 'true') return true;
  if (e instanceof Stripe.errors.StripeConnectionError) return true;
  const status = e.statusCode ?? 0;
  return status === 429 || status >= 500 || (status === 409 && e.code === 'idempotency_key_in_use');
}

/** Seconds Stripe asked us to wait (Retry-After), if any. */
export function retryAfterMs(e: unknown): number | undefined {
  if (!isStripeError(e)) return undefined;
  const raw = e.headers?.['retry-after'];
  const seconds = typeof raw === 'string' ? Number.parseFloat(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function mapStripeError(e: unknown, ctx: { mutating: boolean; idempotencyKey?: string }): StripeGatewayError {
  if (e instanceof StripeGatewayError) return e;
  if (!isStripeError(e)) {
    const message = e instanceof Error ? e.message : String(e);
    return new StripeGatewayError(ctx.mutating ? 'STRIPE.OUTCOME_UNKNOWN' : 'STRIPE.UNAVAILABLE', `Stripe call failed: ${message}`, {
      idempotencyKey: ctx.idempotencyKey,
    });
  }
  const info = {
    httpStatus: e.statusCode,
    stripeCode: e.code,
    declineCode: e.decline_code,
    param: e.param,
    requestId: e.requestId,
    idempotencyKey: ctx.idempotencyKey,
  };
  const code = classify(e, ctx.mutating);
  return new StripeGatewayError(code, e.message || code, info);
}

function classify(e: Stripe.errors.StripeError, mutating: boolean): StripeErrorCode {
  const status = e.statusCode ?? 0;
  if (e instanceof Stripe.errors.StripeCardError || status === 402) return 'STRIPE.CARD_DECLINED';
  if (e.code && INSUFFICIENT.has(e.code)) return 'STRIPE.INSUFFICIENT_BALANCE';
  if (e.code && ACCOUNT_NOT_ENABLED.has(e.code)) return 'STRIPE.ACCOUNT_NOT_ENABLED';
  if (e instanceof Stripe.errors.StripeIdempotencyError || (e.code && IDEMPOTENCY.has(e.code))) return 'STRIPE.IDEMPOTENCY_CONFLICT';
  if (status === 429 || e instanceof Stripe.errors.StripeRateLimitError) return 'STRIPE.RATE_LIMITED';
  if (e instanceof Stripe.errors.StripeAuthenticationError || e instanceof Stripe.errors.StripePermissionError) {
    return status === 403 && e.code === 'account_invalid' ? 'STRIPE.ACCOUNT_NOT_ENABLED' : 'STRIPE.AUTHENTICATION';
  }
  if (status === 404 || e.code === 'resource_missing') return 'STRIPE.NOT_FOUND';
  if (e instanceof Stripe.errors.StripeConnectionError || status >= 500 || status === 0) {
    return mutating ? 'STRIPE.OUTCOME_UNKNOWN' : 'STRIPE.UNAVAILABLE';
  }
  return 'STRIPE.INVALID_REQUEST';
}
