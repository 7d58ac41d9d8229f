import { StripeGatewayError } from '@app/stripe';

// shared with the transfers worker (libs/stripe)
export { attemptKey, refusalOf } from '@app/stripe';

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

/** 30 s, 60 s, 120 s ... capped at an hour (balance.available also makes waiting rows due at once). */
export function retryDelaySeconds(attempts: number): number {
  const n = Math.max(0, Math.min(attempts - 1, 12));
  return Math.min(FIRST_WAIT_SECONDS * 2 ** n, MAX_WAIT_SECONDS);
}
