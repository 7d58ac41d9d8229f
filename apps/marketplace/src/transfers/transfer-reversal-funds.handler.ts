import type { StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';

/**
 * `balance.available`: reversals waiting for a seller's pending funds (balance_insufficient) are due
 * at once, and so are failed refunds' return transfers (`refund_return` rows) waiting for the platform's.
 */
@Injectable()
@HandlesStripeEvents('balance.available')
export class TransferReversalFundsHandler implements StripeEventHandler {
  async apply(_event: StripeEventEnvelope, tx: EntityManager): Promise<void> {
    await tx.query(`UPDATE transfer_reversals SET next_attempt_at = now() WHERE status = 'pending' AND failure_code = 'balance_insufficient' AND next_attempt_at > now()`);
    await tx.query(`UPDATE transfers SET next_attempt_at = now() WHERE kind = 'refund_return' AND status = 'pending' AND failure_code = 'balance_insufficient' AND next_attempt_at > now()`);
  }
}
