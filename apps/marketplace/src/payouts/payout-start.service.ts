import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, SYSTEM_ACTOR } from '../audit/audit-log.service.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { SellerNotActiveError, SellerPayoutsFrozenError } from '../onboarding/onboarding.errors.js';
import { SellerGate } from '../onboarding/seller-gate.service.js';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { payoutAttemptKey, payoutStripeParams } from './payout-attempt-params.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PAYOUT_STATUS_CODES } from './payouts.errors.js';

/**
 * Step 1 of a payout's execution (PayoutExecution runs it each pass): approved requests, their
 * freezes checked again at execution, frozen or moved to `executing` with their attempt.
 */
@Injectable()
export class PayoutStart {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly payouts: PayoutRequestsRepository,
    private readonly gate: SellerGate,
    private readonly audit: AuditLog,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /** Step 1: approved and frozen requests, each in its own transaction with its row locked. */
  async startApproved(limit: number): Promise<number> {
    // approved ones first: requests that stay frozen never hold them up
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM payout_requests WHERE status IN ('approved', 'frozen') ORDER BY status = 'frozen', updated_at LIMIT $1`, [limit]);
    let moved = 0;
    for (const { id } of rows) {
      if (await this.db.transaction((tx) => this.start(tx, id))) moved++;
    }
    return moved;
  }

  private async start(tx: EntityManager, id: string): Promise<boolean> {
    const [locked]: Array<{ id: string }> = await tx.query(`SELECT id FROM payout_requests WHERE id = $1 AND status IN ('approved', 'frozen') FOR UPDATE SKIP LOCKED`, [id]);
    if (!locked) return false;
    const request = (await this.payouts.findRequest(id, tx))!;
    const frozen = await this.freezeOf(request.sellerId, tx);
    const subject = { type: 'payout_request', id };
    if (frozen) {
      if (request.status === 'frozen') return false; // still frozen: looked at again next pass
      await this.payouts.transitionRequest(tx, id, 'frozen', { statusCode: PAYOUT_STATUS_CODES.frozen, statusReason: frozen }, ['approved']);
      await this.audit.record(tx, { subject, action: 'payout.frozen', actor: SYSTEM_ACTOR, before: { status: 'approved' }, after: { status: 'frozen' }, reason: frozen });
      this.logger.warn({ component: 'payout-execution', requestId: id, sellerId: request.sellerId, reason: frozen }, 'approved payout frozen at execution');
      return true;
    }
    if (request.status === 'frozen') {
      await this.payouts.transitionRequest(tx, id, 'approved', { statusCode: null, statusReason: null }, ['frozen']);
      await this.audit.record(tx, { subject, action: 'payout.unfrozen', actor: SYSTEM_ACTOR, before: { status: 'frozen', reason: request.statusReason }, after: { status: 'approved' } });
    }
    const attemptId = randomUUID();
    // a request reopened by an admin (POST /admin/payouts/:id/retry): the new attempt is theirs
    const [retriedBy]: Array<{ actor_id: string }> = await tx.query(
      `SELECT actor_id FROM audit_log WHERE subject_type = 'payout_request' AND subject_id = $1 AND action = 'payout.retry' ORDER BY id DESC LIMIT 1`,
      [id],
    );
    await this.payouts.transitionRequest(tx, id, 'executing', { statusCode: null, statusReason: null }, ['approved']);
    await tx.getRepository(PayoutAttempt).insert({
      id: attemptId,
      requestId: id,
      sellerId: request.sellerId,
      stripeAccount: request.stripeAccount,
      amount: request.amount,
      currency: request.currency,
      status: 'pending',
      idempotencyKey: payoutAttemptKey(attemptId),
      stripeParams: payoutStripeParams(request, attemptId),
      createdBy: retriedBy?.actor_id ?? null,
    });
    await this.audit.record(tx, { subject, action: 'payout.executing', actor: SYSTEM_ACTOR, before: { status: 'approved' }, after: { status: 'executing', attemptId } });
    return true;
  }

  /** Why the seller cannot be paid out now, in words, or null. */
  private async freezeOf(sellerId: string, tx: EntityManager): Promise<string | null> {
    try {
      await this.gate.assertCanBePaidOut(sellerId, tx);
      return null;
    } catch (error) {
      if (error instanceof SellerPayoutsFrozenError) return `Payouts are frozen: ${(error.details as { reasons: string[] }).reasons.join('; ')}`.slice(0, 2000);
      if (error instanceof SellerNotActiveError) return `The seller's account cannot be paid out: ${(error.details as { missing: string[] }).missing.join('; ')}`.slice(0, 2000);
      throw error;
    }
  }
}
