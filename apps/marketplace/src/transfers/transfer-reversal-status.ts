import type { TransferReversalStatus } from './transfer-reversal.entity.js';

/**
 * Every allowed change of a transfer reversal row: `to` <- the statuses it may come from. The one
 * table TransferReversalsRepository.transition reads (guarded UPDATE ... WHERE status IN from).
 *  - planned -> pending: the refund settled (or the dispute was lost), the reversal is due.
 *  - planned -> succeeded | debt: a lowering, applied with the refund (debt: part of it was a shortfall).
 *  - planned -> canceled: Stripe refused the refund; pending / submitting -> canceled: Stripe failed the
 *    refund after it succeeded and the reversal was never made (never sent, or not found at Stripe).
 *  - pending <-> submitting: a worker's attempt; back to pending to wait (the transfer, the seller's
 *    pending funds) or to retry with the same key; submitting -> submitting: a takeover after a lease.
 *  - pending / submitting -> succeeded (made, or found by a look-up or a webhook), debt (refused:
 *    balance_insufficient and the seller's balance cannot cover it), failed (another final refusal).
 *  - failed -> pending: an admin retry (a new key generation); failed -> canceled: an admin cancel
 *    (nothing moves: the platform bears the seller's part).
 *  - canceled -> succeeded: Stripe made the reversal after all (a call that outlived its worker's
 *    lease landed after the row was canceled): booked as Stripe reports it, and given back if its refund failed.
 */
export const TRANSFER_REVERSAL_TRANSITIONS: Readonly<Record<TransferReversalStatus, readonly TransferReversalStatus[]>> = {
  planned: [],
  pending: ['planned', 'pending', 'submitting', 'failed'],
  submitting: ['pending', 'submitting'],
  succeeded: ['planned', 'pending', 'submitting', 'canceled'],
  debt: ['planned', 'pending', 'submitting'],
  failed: ['pending', 'submitting'],
  canceled: ['planned', 'pending', 'submitting', 'failed'],
};

export function canMoveTransferReversal(from: TransferReversalStatus, to: TransferReversalStatus): boolean {
  return TRANSFER_REVERSAL_TRANSITIONS[to].includes(from);
}
