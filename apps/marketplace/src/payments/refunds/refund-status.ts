import { DomainError } from '../../common/domain-error.js';
import type { FailureReturnStatus, RefundStatus, ReturnReversalStatus } from './refund.entity.js';

/**
 * Every allowed change of a refund's three lifecycles: `to` <- the statuses it may come from (null:
 * not started). The one table RefundsRepository.transition reads (guarded UPDATE ... WHERE status IN from).
 *  - succeeded -> failed: Stripe failed a refund it had made (the card was closed).
 */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStatus, readonly RefundStatus[]>> = {
  pending: [],
  succeeded: ['pending'],
  failed: ['pending', 'succeeded'],
};

/**
 * The return of a failed refund's share to the seller. Starts (null -> pending) in the statement that
 * fails the refund; pending -> pending records a retry (attempts, error, next attempt).
 */
export const FAILURE_RETURN_TRANSITIONS: Readonly<Record<FailureReturnStatus, ReadonlyArray<FailureReturnStatus | null>>> = {
  pending: [null, 'pending'],
  returned: ['pending'],
  failed: ['pending'],
};

/**
 * The reversal of an order's return transfer after a refund. Starts (null -> pending) when the refund
 * is booked; pending -> pending records a retry.
 */
export const RETURN_REVERSAL_TRANSITIONS: Readonly<Record<ReturnReversalStatus, ReadonlyArray<ReturnReversalStatus | null>>> = {
  pending: [null, 'pending'],
  reversed: ['pending'],
  none: ['pending'],
  failed: ['pending'],
};

export interface RefundMove {
  status?: RefundStatus;
  failureReturn?: FailureReturnStatus;
  returnReversal?: ReturnReversalStatus;
}

export function canMoveRefund(from: RefundStatus, to: RefundStatus): boolean {
  return REFUND_TRANSITIONS[to].includes(from);
}

export function canMoveFailureReturn(from: FailureReturnStatus | null, to: FailureReturnStatus): boolean {
  return FAILURE_RETURN_TRANSITIONS[to].includes(from);
}

export function canMoveReturnReversal(from: ReturnReversalStatus | null, to: ReturnReversalStatus): boolean {
  return RETURN_REVERSAL_TRANSITIONS[to].includes(from);
}

export class RefundTransitionError extends DomainError {
  constructor(refundId: string, move: RefundMove) {
    super('REFUNDS.INVALID_TRANSITION', `Refund ${refundId} cannot move to ${JSON.stringify(move)}`, 'conflict', { refundId, ...move });
  }
}
