import type { StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../../webhooks/stripe-event-handler.js';

/**
 * `balance.available` (platform and Connect): funds became available somewhere, so the money moves
 * Stripe refused with balance_insufficient (a failed refund's return, a return transfer's
 * reversal) are due at once instead of after their backoff. Only makes rows due; the payments
 * worker makes the Stripe calls (same keys). Safe to run twice and in any order.
 */
@Injectable()
@HandlesStripeEvents('balance.available')
export class PaymentsFundsAvailableHandler implements StripeEventHandler {
  async apply(_event: StripeEventEnvelope, tx: EntityManager): Promise<void> {
    await tx.query(
      `UPDATE refunds SET failure_return_next_attempt_at = now()
        WHERE failure_return_status = 'pending' AND failure_return_error_code = 'balance_insufficient' AND failure_return_next_attempt_at > now()`,
    );
    await tx.query(
      `UPDATE refunds SET return_reversal_next_attempt_at = now()
        WHERE return_reversal_status = 'pending' AND return_reversal_error_code = 'balance_insufficient' AND return_reversal_next_attempt_at > now()`,
    );
  }
}
