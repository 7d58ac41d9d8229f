import { idempotencyKeyExpired } from '@app/stripe';
import { DomainError } from '../common/domain-error.js';

export const TRANSFER_STATUSES = ['pending', 'submitting', 'succeeded', 'failed', 'canceled'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/**
 * Every allowed change of a transfer row: `to` <- the statuses it may come from. The one table
 * TransfersRepository.transition reads (guarded UPDATE ... WHERE status IN from).
 *  - pending -> pending: a wait recorded (the seller is not active; the next check's time).
 *  - submitting -> submitting: a worker took over a row whose worker died during the Stripe call.
 *  - submitting -> pending: Stripe did not answer for sure (network, 5xx, 429): retried later, same key.
 *  - pending -> succeeded: a webhook or a look-up found the transfer at Stripe before the worker's commit.
 *  - failed -> pending: an admin retry (a new attempt, a new key).
 *  - pending / failed -> canceled: an admin cancel; the seller's share stays owed in the ledger.
 *    submitting (or pending, sent before) -> canceled too, once a look-up found nothing at Stripe and
 *    no call can still make it: its key is older than Stripe's 24 h memory, or the seller cannot receive transfers.
 *  - pending -> canceled also when a refund lowered a transfer never sent to 0; canceled -> pending
 *    when Stripe then refused that refund (the lowering is given back; never an admin's cancel).
 *  - canceled -> succeeded: Stripe made it after all (a call that outlived its worker's lease landed
 *    after an admin canceled the row): the seller got the share the cancel left owed, booked as made.
 */
export const TRANSFER_TRANSITIONS: Readonly<Record<TransferStatus, readonly TransferStatus[]>> = {
  pending: ['pending', 'submitting', 'failed', 'canceled'],
  submitting: ['pending', 'submitting'],
  succeeded: ['pending', 'submitting', 'canceled'],
  failed: ['submitting'],
  canceled: ['pending', 'submitting', 'failed'],
};

/**
 * A row canceled after its key was sent, within Stripe's memory of that key: a call on its way (one
 * that outlived its worker's lease) may still land and make the transfer. Never treated as unsent: a
 * refund's part of it is a reversal, made once it lands or lowered once the key is forgotten.
 */
export function mayStillLand(t: { status: TransferStatus; keyFirstSentAt: Date | null }, now: number = Date.now()): boolean {
  return t.status === 'canceled' && t.keyFirstSentAt !== null && !idempotencyKeyExpired(t.keyFirstSentAt, now);
}

export function canMoveTransfer(from: TransferStatus, to: TransferStatus): boolean {
  return TRANSFER_TRANSITIONS[to].includes(from);
}

export class TransferTransitionError extends DomainError {
  constructor(transferId: string, from: TransferStatus, to: TransferStatus) {
    super('TRANSFERS.INVALID_TRANSITION', `Transfer ${transferId} cannot go from ${from} to ${to}`, 'conflict', { transferId, from, to });
  }
}
