import { QueryFailedError } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import type { PayoutRequestStatus } from './payout-status.js';

export const PayoutsErrors = {
  alreadyApprovedByYou: (id: string, adminId: string) =>
    new DomainError('PAYOUTS.ALREADY_APPROVED_BY_YOU', `You already approved payout request ${id}: a second approval must come from another admin`, 'conflict', {
      requestId: id,
      adminId,
    }),
  requesterCannotApprove: (id: string, adminId: string) =>
    new DomainError('PAYOUTS.REQUESTER_CANNOT_APPROVE', `You asked for payout request ${id}: another admin must approve it`, 'forbidden', { requestId: id, adminId }),
  notInReview: (id: string, status: PayoutRequestStatus | null) =>
    new DomainError('PAYOUTS.NOT_IN_REVIEW', `Payout request ${id} is ${status ?? 'no longer in review'}: only a request in review (pending_review) takes approvals`, 'conflict', {
      requestId: id,
      status,
    }),
  notRejectable: (id: string, status: PayoutRequestStatus) =>
    new DomainError('PAYOUTS.NOT_REJECTABLE', `Payout request ${id} is ${status}: only a held, pending_review, approved (not yet started), frozen or failed request can be rejected`, 'conflict', {
      requestId: id,
      status,
    }),
  notRetryable: (id: string, status: PayoutRequestStatus) =>
    new DomainError('PAYOUTS.NOT_RETRYABLE', `Payout request ${id} is ${status}: only a failed request gets a new attempt`, 'conflict', { requestId: id, status }),
  openRequestExists: (id: string, other: string) =>
    new DomainError('PAYOUTS.OPEN_REQUEST_EXISTS', `Payout request ${id} cannot be reopened: request ${other} of the same seller and currency is open`, 'conflict', {
      requestId: id,
      openRequestId: other,
    }),
};

/**
 * The database's refusal of an approval the service did not see coming (a race with another
 * request, or a row changed underneath), in the same words: the primary key (one approval per admin
 * and request) and the two-person trigger (never the requester, only in review). Null if it is another error.
 */
export function approvalRefusal(error: unknown, requestId: string, adminId: string): DomainError | null {
  if (!(error instanceof QueryFailedError)) return null;
  const e = error.driverError as { code?: string; constraint?: string; message?: string };
  if (e.code === '23505' && e.constraint === 'payout_approvals_pkey') return PayoutsErrors.alreadyApprovedByYou(requestId, adminId);
  if (e.code === '23514' && e.message?.includes('cannot approve it')) return PayoutsErrors.requesterCannotApprove(requestId, adminId);
  if (e.code === '23514' && (e.message?.includes('only a request in review') || e.message?.includes('distinct approvals it needs'))) return PayoutsErrors.notInReview(requestId, null);
  return null;
}

/** status_code of a request waiting on a freeze found at execution, of one whose payout failed at Stripe, or was refused or never made. */
export const PAYOUT_STATUS_CODES = {
  frozen: 'PAYOUTS.FROZEN',
  payoutFailed: 'PAYOUTS.PAYOUT_FAILED',
  payoutCanceled: 'PAYOUTS.PAYOUT_CANCELED',
  payoutRefused: 'PAYOUTS.PAYOUT_REFUSED',
  payoutNotMade: 'PAYOUTS.PAYOUT_NOT_MADE',
} as const;
