import { DomainError } from '../../common/domain-error.js';
import type { RecoveryStatus } from './dispute.entity.js';

/**
 * Every allowed change of a dispute's recovery from the seller: `to` <- the statuses it may come
 * from. The one table DisputesRepository.transitionRecovery reads (guarded UPDATE ... WHERE recovery_status IN from).
 *  - pending -> none: nothing to recover (no transfer, nothing withdrawn, or Stripe reports it won).
 *  - none -> pending: an inquiry became a dispute.
 *  - pending -> returning: won while we were recovering; recovered -> returning: won afterwards.
 *  - pending -> pending, returning -> returning: a retry recorded (error, next attempt).
 */
export const DISPUTE_RECOVERY_TRANSITIONS: Readonly<Record<RecoveryStatus, readonly RecoveryStatus[]>> = {
  none: ['pending'],
  pending: ['none', 'pending'],
  recovered: ['pending'],
  returning: ['pending', 'recovered', 'returning'],
  returned: ['returning'],
  failed: ['pending', 'returning'],
};

export function canMoveRecovery(from: RecoveryStatus, to: RecoveryStatus): boolean {
  return DISPUTE_RECOVERY_TRANSITIONS[to].includes(from);
}

export class DisputeRecoveryTransitionError extends DomainError {
  constructor(disputeId: string, from: RecoveryStatus | null, to: RecoveryStatus) {
    super('DISPUTES.INVALID_RECOVERY_TRANSITION', `Dispute ${disputeId}'s recovery cannot go from ${from ?? 'unknown'} to ${to}`, 'conflict', { disputeId, from, to });
  }
}
