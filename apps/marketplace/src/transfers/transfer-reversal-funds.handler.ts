import type { StripeEventEnvelope } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';

/** `balance.available`: reversals waiting for a seller's pending funds (balance_insufficient) are due at once. */
@Injectable()
@HandlesStripeEvents('balance.available')
export class TransferReversalFundsHandler implements StripeEventHandler {
  async apply(_event: StripeEventEnvelope, tx: EntityManager): Promise<void> {
    await tx.query(`UPDATE transfer_reversals SET next_attempt_at = now() WHERE status = 'pending' AND failure_code = 'balance_insufficient' AND next_attempt_at > now()`);
  }
}
