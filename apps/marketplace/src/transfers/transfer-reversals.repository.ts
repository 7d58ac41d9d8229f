import type { EntityManager } from 'typeorm';
import { TransferReversal, type TransferReversalStatus } from './transfer-reversal.entity.js';
import { TRANSFER_REVERSAL_TRANSITIONS } from './transfer-reversal-status.js';

type Columns = Omit<TransferReversal, 'status' | 'id' | 'refund' | 'dispute' | 'order' | 'seller' | 'transfer' | 'createdAt' | 'updatedAt'>;
/** Other columns set in the same statement; a function is an SQL expression (e.g. `() => 'attempts + 1'`). */
export type TransferReversalChanges = { [K in keyof Columns]?: Columns[K] | (() => string) };

/**
 * Moves a reversal row to `to` if its status allows it (TRANSFER_REVERSAL_TRANSITIONS, or only
 * `from` when given), other columns in the same guarded UPDATE. Returns whether it moved.
 */
export async function transitionTransferReversal(
  tx: EntityManager,
  id: string,
  to: TransferReversalStatus,
  changes: TransferReversalChanges = {},
  from?: readonly TransferReversalStatus[],
  parameters: Record<string, unknown> = {},
): Promise<boolean> {
  const allowed = TRANSFER_REVERSAL_TRANSITIONS[to].filter((s) => !from || from.includes(s));
  if (allowed.length === 0) return false;
  const qb = tx
    .createQueryBuilder()
    .update(TransferReversal)
    .set({ ...changes, status: to })
    .where('id = :id AND status IN (:...allowed)', { id, allowed });
  for (const [name, value] of Object.entries(parameters)) qb.setParameter(name, value);
  return ((await qb.execute()).affected ?? 0) === 1;
}
