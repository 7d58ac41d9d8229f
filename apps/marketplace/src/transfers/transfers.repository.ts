import { claimDueRows } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { TRANSFER_TRANSITIONS, type TransferStatus } from './transfer-status.js';
import { Transfer } from './transfer.entity.js';
import { TransfersConfig } from './transfers.config.js';

type Columns = Omit<Transfer, 'status' | 'id' | 'order' | 'seller' | 'refund' | 'createdAt' | 'updatedAt'>;
/** Other columns set in the same statement; a function is an SQL expression (e.g. `() => 'submit_attempts + 1'`). */
export type TransferChanges = { [K in keyof Columns]?: Columns[K] | (() => string) };

/** Reads transfer rows and changes their status, only ever through TRANSFER_TRANSITIONS. */
@Injectable()
export class TransfersRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: TransfersConfig,
  ) {}

  /** Claims due rows (pending, or submitting whose worker's lease ran out; a held row only once released) with a lease, FOR UPDATE SKIP LOCKED. */
  async claimDue(limit: number): Promise<Transfer[]> {
    const ids = await claimDueRows((sql, params) => this.db.query(sql, params).then(([rows]: [Array<{ id: string }>, number]) => rows), {
      table: 'transfers',
      due: `status IN ('pending', 'submitting') AND (hold_until IS NULL OR released_at IS NOT NULL)`,
      nextAttemptColumn: 'next_attempt_at',
      orderBy: 'next_attempt_at NULLS FIRST, created_at',
      limit,
      // a claim is ours for this long: a worker that died mid-call lets go of its rows then
      leaseSeconds: this.config.claimLeaseSeconds,
    });
    return ids.length ? this.db.getRepository(Transfer).find({ where: { id: In(ids) }, order: { createdAt: 'ASC' } }) : [];
  }

  /**
   * Moves the row to `to` if its status allows it (one guarded UPDATE ... WHERE status IN the
   * allowed-from list, or only `from` when given), with other columns in the same statement.
   * Returns whether it moved: false means another writer got there first or the move is not allowed.
   */
  async transition(tx: EntityManager, id: string, to: TransferStatus, changes: TransferChanges = {}, from?: readonly TransferStatus[], parameters: Record<string, unknown> = {}): Promise<boolean> {
    const allowed = TRANSFER_TRANSITIONS[to].filter((s) => !from || from.includes(s));
    if (allowed.length === 0) return false;
    const qb = tx
      .createQueryBuilder()
      .update(Transfer)
      .set({ ...changes, status: to })
      .where('id = :id AND status IN (:...allowed)', { id, allowed });
    for (const [name, value] of Object.entries(parameters)) qb.setParameter(name, value);
    const result = await qb.execute();
    return (result.affected ?? 0) === 1;
  }

  find(id: string, manager: EntityManager = this.db.manager): Promise<Transfer | null> {
    return manager.findOneBy(Transfer, { id });
  }

  findByStripeId(tx: EntityManager, stripeTransferId: string): Promise<Transfer | null> {
    return tx.findOneBy(Transfer, { stripeTransferId });
  }

  ofOrder(orderId: string, manager: EntityManager = this.db.manager): Promise<Transfer[]> {
    return manager.find(Transfer, { where: { orderId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
