import { claimDueRows } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager, type UpdateQueryBuilder } from 'typeorm';
import { FAILURE_RETURN_TRANSITIONS, REFUND_TRANSITIONS, RETURN_REVERSAL_TRANSITIONS, type RefundMove } from './refund-status.js';
import { Refund } from './refund.entity.js';

type StatusColumn = 'status' | 'failureReturnStatus' | 'returnReversalStatus';
type Columns = Omit<Refund, StatusColumn | 'order' | 'requester' | 'id' | 'createdAt' | 'updatedAt'>;
/** Other columns set in the same statement; a function is an SQL expression (e.g. `() => 'failure_return_attempts + 1'`). */
export type RefundChanges = { [K in keyof Columns]?: Columns[K] | (() => string) };
/** Narrows a move to one of its allowed from-statuses (the one the caller read). */
export type RefundMoveFrom = { status?: Refund['status']; failureReturn?: Refund['failureReturnStatus']; returnReversal?: Refund['returnReversalStatus'] };

// A claim is ours for this long (a crashed worker's claim then lapses).
const CLAIM_LEASE_SECONDS = 120;

/** The two after-refund jobs of the payments worker, by their column prefix. */
export type RefundFollowUp = 'failure_return' | 'return_reversal';

/** Changes a refund's statuses, only ever through the tables in refund-status.ts. */
@Injectable()
export class RefundsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Claims the refunds whose follow-up is due, with a lease: N workers never make the same Stripe call at once. */
  async claimDue(followUp: RefundFollowUp, limit: number): Promise<Refund[]> {
    const ids = await claimDueRows((sql, params) => this.db.query(sql, params).then(([rows]: [Array<{ id: string }>, number]) => rows), {
      table: 'refunds',
      due: `${followUp}_status = 'pending'`,
      nextAttemptColumn: `${followUp}_next_attempt_at`,
      orderBy: `${followUp}_next_attempt_at NULLS FIRST`,
      limit,
      leaseSeconds: CLAIM_LEASE_SECONDS,
    });
    return ids.length ? this.db.getRepository(Refund).findBy({ id: In(ids) }) : [];
  }

  /** One guarded UPDATE (each moved status IN its allowed from, other columns alongside); whether the refund moved. */
  async transition(tx: EntityManager, refundId: string, move: RefundMove, changes: RefundChanges = {}, from: RefundMoveFrom = {}, parameters: Record<string, unknown> = {}): Promise<boolean> {
    const set: Record<string, unknown> = { ...changes };
    if (move.status) set.status = move.status;
    if (move.failureReturn) set.failureReturnStatus = move.failureReturn;
    if (move.returnReversal) set.returnReversalStatus = move.returnReversal;
    const qb = tx.createQueryBuilder().update(Refund).set(set).where('id = :refundId', { refundId });
    if (move.status) guard(qb, 'status', REFUND_TRANSITIONS[move.status], from.status);
    if (move.failureReturn) guard(qb, 'failure_return_status', FAILURE_RETURN_TRANSITIONS[move.failureReturn], from.failureReturn);
    if (move.returnReversal) guard(qb, 'return_reversal_status', RETURN_REVERSAL_TRANSITIONS[move.returnReversal], from.returnReversal);
    for (const [name, value] of Object.entries(parameters)) qb.setParameter(name, value);
    const result = await qb.execute();
    return (result.affected ?? 0) === 1;
  }
}

function guard(qb: UpdateQueryBuilder<Refund>, column: string, allowed: ReadonlyArray<string | null>, narrowed: string | null | undefined): void {
  if (narrowed !== undefined && !allowed.includes(narrowed)) throw new Error(`refunds.${column}: ${narrowed} is not an allowed from-status`);
  const from = narrowed !== undefined ? [narrowed] : allowed;
  const values = from.filter((s): s is string => s !== null);
  const param = `from_${column}`;
  const conditions = [...(from.includes(null) ? [`${column} IS NULL`] : []), ...(values.length ? [`${column} IN (:...${param})`] : [])];
  qb.andWhere(conditions.length ? `(${conditions.join(' OR ')})` : '1 = 0', values.length ? { [param]: values } : {});
}
