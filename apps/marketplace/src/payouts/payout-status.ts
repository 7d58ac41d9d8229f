import { DomainError } from '../common/domain-error.js';

export const PAYOUT_REQUEST_STATUSES = ['held', 'pending_review', 'approved', 'frozen', 'executing', 'paid', 'failed', 'rejected', 'canceled'] as const;
export type PayoutRequestStatus = (typeof PAYOUT_REQUEST_STATUSES)[number];

/** A request in one of these blocks another for the same seller and currency (payout_requests_one_open_idx). */
export const OPEN_PAYOUT_REQUEST_STATUSES: readonly PayoutRequestStatus[] = ['held', 'pending_review', 'approved', 'frozen', 'executing'];

/**
 * Every allowed change of a payout request: `to` <- the statuses it may come from.
 *  - held: made while Stripe's available balance and the ledger's differ (or the seller is frozen);
 *    held -> pending_review once a recheck finds them equal again; held -> held: a recheck found them
 *    still apart, and the request's figures and the words that say why are brought up to date.
 *  - pending_review -> approved: the last approval it needs (the database counts them).
 *  - approved -> frozen: a freeze found at execution (open dispute, restricted account, payouts
 *    disabled) or by the balance check run before paying (ledger and Stripe differ, or no longer cover
 *    the amount); frozen -> frozen: the reason it waits changed (a freeze lifted, the balance check
 *    still fails, or new figures); frozen -> approved once it is lifted (the worker checks again).
 *  - approved -> executing: the attempt row is made in the same transaction.
 *  - executing -> paid: Stripe says the attempt's payout is paid. paid is not final:
 *    paid / executing -> failed when Stripe fails it (funds back); failed -> approved is an admin's new attempt.
 *  - held / pending_review / approved (not yet started) / frozen / failed -> rejected (an admin, with a
 *    reason the seller sees; the worker starts a request only under its row lock, so it is one or the other);
 *    held / pending_review -> canceled (the seller withdraws it).
 */
export const PAYOUT_REQUEST_TRANSITIONS: Readonly<Record<PayoutRequestStatus, readonly PayoutRequestStatus[]>> = {
  held: ['held'],
  pending_review: ['held'],
  approved: ['pending_review', 'frozen', 'failed'],
  frozen: ['approved', 'frozen'],
  executing: ['approved'],
  paid: ['executing'],
  failed: ['executing', 'paid'],
  rejected: ['held', 'pending_review', 'approved', 'frozen', 'failed'],
  canceled: ['held', 'pending_review'],
};

export const PAYOUT_ATTEMPT_STATUSES = ['pending', 'submitting', 'created', 'paid', 'failed', 'canceled'] as const;
export type PayoutAttemptStatus = (typeof PAYOUT_ATTEMPT_STATUSES)[number];

/**
 * Every allowed change of a payout attempt (one Stripe payout), `to` <- from:
 *  - pending -> pending: a look-up before a resend did not answer; looked up again after a backoff.
 *  - pending -> submitting: a worker sends it (key `payout:<attemptId>`); submitting -> submitting: a
 *    takeover of a row whose worker died mid-call; submitting -> pending: no sure answer, retried with the same key.
 *  - created: Stripe has the payout (pending or in_transit at Stripe), from the call's answer, a
 *    look-up, or an event that came first.
 *  - paid: payout.paid. failed: Stripe refused the create for sure, or payout.failed (also after paid).
 *  - canceled: payout.canceled, or never sent and an admin canceled it.
 */
export const PAYOUT_ATTEMPT_TRANSITIONS: Readonly<Record<PayoutAttemptStatus, readonly PayoutAttemptStatus[]>> = {
  pending: ['pending', 'submitting'],
  submitting: ['pending', 'submitting'],
  created: ['pending', 'submitting'],
  paid: ['pending', 'submitting', 'created'],
  failed: ['pending', 'submitting', 'created', 'paid'],
  canceled: ['pending', 'created'],
};

export function canMovePayoutRequest(from: PayoutRequestStatus, to: PayoutRequestStatus): boolean {
  return PAYOUT_REQUEST_TRANSITIONS[to].includes(from);
}

export function canMovePayoutAttempt(from: PayoutAttemptStatus, to: PayoutAttemptStatus): boolean {
  return PAYOUT_ATTEMPT_TRANSITIONS[to].includes(from);
}

export class PayoutTransitionError extends DomainError {
  constructor(kind: 'request' | 'attempt', id: string, from: string, to: string) {
    super('PAYOUTS.INVALID_TRANSITION', `Payout ${kind} ${id} cannot go from ${from} to ${to}`, 'conflict', { id, from, to });
  }
}
