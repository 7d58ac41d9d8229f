import { idempotencyKey, StripeGatewayError, type IdempotencyKey } from '@app/stripe';

// How the payments worker reads a failed Stripe call for a money move that may wait for funds.
// Stripe: "It is possible to reverse a transfer_group transfer only if the destination account has
// enough balance to cover the reversal", and a transfer draws on the available balance: a
// `balance_insufficient` refusal clears once funds become available (balance.available), so it is
// retried with a growing delay, never final. Another definitive refusal cannot clear by waiting.

const FIRST_WAIT_SECONDS = 30;
const MAX_WAIT_SECONDS = 3600;

/** Stripe refused because the balance cannot cover the move yet (balance_insufficient): wait and retry. */
export function waitsForFunds(error: unknown): boolean {
  return error instanceof StripeGatewayError && error.code === 'STRIPE.INSUFFICIENT_BALANCE';
}

/** Stripe refused for good: the same call fails again however long we wait. */
export function finalRefusal(error: unknown): boolean {
  return error instanceof StripeGatewayError && error.definitiveRefusal && !waitsForFunds(error);
}

/** Stripe's own error code (e.g. balance_insufficient) and message, as admins should see them. */
export function refusalOf(error: unknown): { code: string | null; message: string } {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  if (!(error instanceof StripeGatewayError)) return { code: null, message };
  return { code: (error.info.stripeCode ?? error.code).slice(0, 64), message };
}

/** 30 s, 60 s, 120 s ... capped at an hour (balance.available also makes waiting rows due at once). */
export function retryDelaySeconds(attempts: number): number {
  const n = Math.max(0, Math.min(attempts - 1, 12));
  return Math.min(FIRST_WAIT_SECONDS * 2 ** n, MAX_WAIT_SECONDS);
}

/**
 * The idempotency key of a money move's current attempt: `<kind>:<id>` first, `<kind>:<id>:<n>`
 * after n refusals that made nothing (Stripe would answer a refused key with the same refusal for
 * 24 h). An unknown outcome keeps the generation: the retry must be the same request.
 */
export function attemptKey(kind: string, id: string, generation: number): IdempotencyKey {
  return generation === 0 ? idempotencyKey(kind, id) : idempotencyKey(kind, id, String(generation));
}
