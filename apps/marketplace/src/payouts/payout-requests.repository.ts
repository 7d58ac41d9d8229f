import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { PayoutRequest } from './payout-request.entity.js';
import { PAYOUT_ATTEMPT_TRANSITIONS, PAYOUT_REQUEST_TRANSITIONS, type PayoutAttemptStatus, type PayoutRequestStatus } from './payout-status.js';

type Changes<T> = { [K in keyof T]?: T[K] | (() => string) };
export type PayoutRequestChanges = Changes<Omit<PayoutRequest, 'id' | 'status' | 'seller' | 'requester' | 'rejecter' | 'run' | 'createdAt' | 'updatedAt'>>;
export type PayoutAttemptChanges = Changes<Omit<PayoutAttempt, 'id' | 'status' | 'request' | 'seller' | 'creator' | 'createdAt' | 'updatedAt'>>;

/**
 * Reads payout requests and attempts and changes their status, only ever through their transition
 * tables: one guarded UPDATE ... WHERE status IN (allowed from), with other columns in the same
 * statement. `transition*` returns whether the row moved: false means another writer got there
 * first or the move is not allowed (callers decide whether that is an error).
 */
@Injectable()
export class PayoutRequestsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async transitionRequest(tx: EntityManager, id: string, to: PayoutRequestStatus, changes: PayoutRequestChanges = {}, from?: readonly PayoutRequestStatus[]): Promise<boolean> {
    const allowed = PAYOUT_REQUEST_TRANSITIONS[to].filter((s) => !from || from.includes(s));
    if (allowed.length === 0) return false;
    const result = await tx
      .createQueryBuilder()
      .update(PayoutRequest)
      .set({ ...changes, status: to })
      .where('id = :id AND status IN (:...allowed)', { id, allowed })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  async transitionAttempt(tx: EntityManager, id: string, to: PayoutAttemptStatus, changes: PayoutAttemptChanges = {}, from?: readonly PayoutAttemptStatus[]): Promise<boolean> {
    const allowed = PAYOUT_ATTEMPT_TRANSITIONS[to].filter((s) => !from || from.includes(s));
    if (allowed.length === 0) return false;
    const result = await tx
      .createQueryBuilder()
      .update(PayoutAttempt)
      .set({ ...changes, status: to })
      .where('id = :id AND status IN (:...allowed)', { id, allowed })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  findRequest(id: string, manager: EntityManager = this.db.manager): Promise<PayoutRequest | null> {
    return manager.findOneBy(PayoutRequest, { id });
  }

  /** The request row locked for the caller's transaction (FOR UPDATE), or null. */
  lockRequest(tx: EntityManager, id: string): Promise<PayoutRequest | null> {
    return tx.getRepository(PayoutRequest).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
  }

  attemptsOf(requestId: string, manager: EntityManager = this.db.manager): Promise<PayoutAttempt[]> {
    return manager.find(PayoutAttempt, { where: { requestId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findAttemptByStripeId(tx: EntityManager, stripePayoutId: string): Promise<PayoutAttempt | null> {
    return tx.findOneBy(PayoutAttempt, { stripePayoutId });
  }
}
