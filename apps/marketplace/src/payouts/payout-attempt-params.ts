import { idempotencyKey } from '@app/stripe';
import type { PayoutStripeParams } from './payout-attempt.entity.js';
import type { PayoutRequest } from './payout-request.entity.js';

/** `payout:<attemptId>`: the attempt row's one key (the database checks it). */
export function payoutAttemptKey(attemptId: string) {
  return idempotencyKey('payout', attemptId);
}

/** Exactly what the attempt sends, fixed on its row. */
export function payoutStripeParams(request: Pick<PayoutRequest, 'id' | 'amount' | 'currency' | 'sellerId'>, attemptId: string): PayoutStripeParams {
  return { amount: request.amount.toString(), currency: request.currency, metadata: { payout_request_id: request.id, payout_attempt_id: attemptId, seller_id: request.sellerId } };
}
