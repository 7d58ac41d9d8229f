import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DISPUTE_RECOVERY_TRANSITIONS } from './dispute-recovery-status.js';
import { Dispute, type RecoveryStatus } from './dispute.entity.js';

type Columns = Omit<Dispute, 'recoveryStatus' | 'order' | 'seller' | 'id' | 'createdAt' | 'updatedAt'>;
/** Other columns set in the same statement. */
export type DisputeChanges = { [K in keyof Columns]?: Columns[K] };

/** Changes a dispute's recovery status, only ever through DISPUTE_RECOVERY_TRANSITIONS. */
@Injectable()
export class DisputesRepository {
  /**
   * One guarded UPDATE (recovery_status IN the allowed from, or just `from`, the status the caller
   * read, which must be one of them), other columns alongside; whether the dispute moved.
   */
  async transitionRecovery(tx: EntityManager, disputeId: string, to: RecoveryStatus, changes: DisputeChanges = {}, from?: RecoveryStatus): Promise<boolean> {
    const allowed = DISPUTE_RECOVERY_TRANSITIONS[to];
    if (from !== undefined && !allowed.includes(from)) throw new Error(`disputes.recovery_status: ${from} -> ${to} is not an allowed move`);
    const result = await tx
      .createQueryBuilder()
      .update(Dispute)
      .set({ ...changes, recoveryStatus: to })
      .where('id = :disputeId AND recovery_status IN (:...from)', { disputeId, from: from !== undefined ? [from] : allowed })
      .execute();
    return (result.affected ?? 0) === 1;
  }
}
