import { DomainError } from '../common/domain-error.js';
import type { PayoutRequestStatus } from './payout-status.js';

export const PayoutsErrors = {
  notRetryable: (id: string, status: PayoutRequestStatus) =>
    new DomainError('PAYOUTS.NOT_RETRYABLE', `Payout request ${id} is ${status}: only a failed request gets a new attempt`, 'conflict', { requestId: id, status }),
  openRequestExists: (id: string, other: string) =>
    new DomainError('PAYOUTS.OPEN_REQUEST_EXISTS', `Payout request ${id} cannot be reopened: request ${other} of the same seller and currency is open`, 'conflict', {
      requestId: id,
      openRequestId: other,
    }),
};

/** status_code of a request waiting on a freeze found at execution, of one whose payout failed at Stripe, or was refused or never made. */
export const PAYOUT_STATUS_CODES = {
  frozen: 'PAYOUTS.FROZEN',
  payoutFailed: 'PAYOUTS.PAYOUT_FAILED',
  payoutCanceled: 'PAYOUTS.PAYOUT_CANCELED',
  payoutRefused: 'PAYOUTS.PAYOUT_REFUSED',
  payoutNotMade: 'PAYOUTS.PAYOUT_NOT_MADE',
} as const;
