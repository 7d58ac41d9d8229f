import type { PayoutSnapshot } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditLog, STRIPE_ACTOR } from '../audit/audit-log.service.js';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { payoutFailureReason } from './payout-remedies.js';
import { PayoutRequestsRepository, type PayoutRequestChanges } from './payout-requests.repository.js';
import type { PayoutRequestStatus } from './payout-status.js';
import { PAYOUT_STATUS_CODES } from './payouts.errors.js';

// Stripe's payout statuses in the order they can follow each other: a re-read never moves back
const STRIPE_STATUS_RANK: Record<string, number> = { pending: 0, in_transit: 1, paid: 2, failed: 3, canceled: 3 };

/**
 * The attempts' and requests' lifecycle from Stripe's payout, as re-read for a payout.* event (so
 * any order and replays of the events end in the same state). Finds the attempt by Stripe's id,
 * else by the payout's metadata.payout_attempt_id (an event may come before the worker commits
 * the create's answer: the id is adopted then). Monotonic: paid -> failed happens (Stripe: a
 * payout can show paid and fail days later), a failure or cancel is never undone.
 */
@Injectable()
export class PayoutLifecycle {
  constructor(
    private readonly payouts: PayoutRequestsRepository,
    private readonly audit: AuditLog,
  ) {}

  /** Returns whether the payout is one of our attempts (false: made by Stripe's schedule or the Dashboard). */
  async apply(tx: EntityManager, account: string, payout: PayoutSnapshot): Promise<boolean> {
    const attempt = await this.attemptOf(tx, account, payout);
    if (!attempt) return false;
    const subject = { type: 'payout_attempt', id: attempt.id };
    if (!attempt.stripePayoutId && (await this.payouts.transitionAttempt(tx, attempt.id, 'created', this.observed(payout), ['pending', 'submitting']))) {
      await this.audit.record(tx, { subject, action: 'payout.created', actor: STRIPE_ACTOR, before: { status: attempt.status }, after: { status: 'created', stripePayoutId: payout.id } });
    }
    // Stripe's status, only forward (a stale re-read committed late never moves it back)
    const rank = STRIPE_STATUS_RANK[payout.status] ?? 0;
    await tx.query(
      `UPDATE payout_attempts SET stripe_status = $2, arrival_date = coalesce($3, arrival_date), updated_at = now()
        WHERE id = $1 AND (stripe_status IS NULL OR (CASE stripe_status WHEN 'pending' THEN 0 WHEN 'in_transit' THEN 1 WHEN 'paid' THEN 2 ELSE 3 END) < $4)`,
      [attempt.id, payout.status, payout.arrivalDate, rank],
    );
    if (payout.status === 'paid') await this.paid(tx, attempt);
    if (payout.status === 'failed') await this.failed(tx, attempt, payout);
    if (payout.status === 'canceled') await this.canceled(tx, attempt);
    return true;
  }

  private async paid(tx: EntityManager, attempt: PayoutAttempt): Promise<void> {
    if (await this.payouts.transitionAttempt(tx, attempt.id, 'paid', { paidAt: () => 'now()' }, ['created'])) {
      await this.audit.record(tx, { subject: { type: 'payout_attempt', id: attempt.id }, action: 'payout.paid', actor: STRIPE_ACTOR, before: { status: 'created' }, after: { status: 'paid' } });
    }
    await this.moveRequest(tx, attempt, 'payout.paid', { attemptNow: 'paid', to: 'paid', from: ['executing'], changes: { paidAt: () => 'now()', statusCode: null, statusReason: null } });
  }

  // the request this attempt stands for, with its audit entry; only from `from` (a request an admin reopened since has a new attempt)
  private async moveRequest(
    tx: EntityManager,
    attempt: PayoutAttempt,
    action: string,
    move: { attemptNow: PayoutAttempt['status']; to: PayoutRequestStatus; from: PayoutRequestStatus[]; changes: PayoutRequestChanges; reason?: string; after?: object },
  ): Promise<void> {
    if (!(await this.standsFor(tx, attempt, move.attemptNow))) return;
    const before = await this.payouts.findRequest(attempt.requestId, tx);
    if (!(await this.payouts.transitionRequest(tx, attempt.requestId, move.to, move.changes, move.from))) return;
    await this.audit.record(tx, {
      subject: { type: 'payout_request', id: attempt.requestId },
      action,
      actor: STRIPE_ACTOR,
      before: { status: before?.status ?? null },
      after: { status: move.to, attemptId: attempt.id, ...move.after },
      reason: move.reason ?? null,
    });
  }

  private async failed(tx: EntityManager, attempt: PayoutAttempt, payout: PayoutSnapshot): Promise<void> {
    const reason = payoutFailureReason(payout.failureCode, payout.failureMessage);
    if (
      await this.payouts.transitionAttempt(tx, attempt.id, 'failed', { failureCode: payout.failureCode, failureMessage: payout.failureMessage, failedAt: () => 'now()', nextAttemptAt: null }, [
        'created',
        'paid',
      ])
    ) {
      await this.audit.record(tx, {
        subject: { type: 'payout_attempt', id: attempt.id },
        action: 'payout.failed',
        actor: STRIPE_ACTOR,
        after: { status: 'failed', failureCode: payout.failureCode },
        reason: payout.failureMessage,
      });
    }
    await this.moveRequest(tx, attempt, 'payout.failed', {
      attemptNow: 'failed',
      to: 'failed',
      from: ['executing', 'paid'],
      changes: { statusCode: PAYOUT_STATUS_CODES.payoutFailed, statusReason: reason, paidAt: null },
      reason,
      after: { failureCode: payout.failureCode },
    });
  }

  private async canceled(tx: EntityManager, attempt: PayoutAttempt): Promise<void> {
    const reason = 'The payout was canceled at Stripe before it reached the bank; the funds are back in your balance. A platform admin can make a new attempt.';
    if (await this.payouts.transitionAttempt(tx, attempt.id, 'canceled', { nextAttemptAt: null }, ['created'])) {
      await this.audit.record(tx, { subject: { type: 'payout_attempt', id: attempt.id }, action: 'payout.canceled', actor: STRIPE_ACTOR, after: { status: 'canceled' } });
    }
    await this.moveRequest(tx, attempt, 'payout.canceled', {
      attemptNow: 'canceled',
      to: 'failed',
      from: ['executing'],
      changes: { statusCode: PAYOUT_STATUS_CODES.payoutCanceled, statusReason: reason },
      reason,
    });
  }

  /**
   * Whether this attempt, now in `status`, is its request's latest: a stale or replayed event of an
   * earlier attempt (failed, then an admin made a new one) never moves the request the new one stands for.
   */
  private async standsFor(tx: EntityManager, attempt: PayoutAttempt, status: PayoutAttempt['status']): Promise<boolean> {
    const [row]: Array<{ status: string; latest: boolean }> = await tx.query(
      `SELECT a.status, NOT EXISTS (SELECT 1 FROM payout_attempts later WHERE later.request_id = a.request_id AND later.created_at > a.created_at) AS latest
         FROM payout_attempts a WHERE a.id = $1`,
      [attempt.id],
    );
    return row?.status === status && row.latest;
  }

  private async attemptOf(tx: EntityManager, account: string, payout: PayoutSnapshot): Promise<PayoutAttempt | null> {
    const byId = await tx.findOne(PayoutAttempt, { where: { stripePayoutId: payout.id }, lock: { mode: 'pessimistic_write' } });
    if (byId) return byId;
    const attemptId = payout.metadata.payout_attempt_id;
    if (!attemptId || !/^[0-9a-f-]{36}$/i.test(attemptId)) return null;
    const byMetadata = await tx.findOne(PayoutAttempt, { where: { id: attemptId }, lock: { mode: 'pessimistic_write' } });
    // the payout is this attempt's only if it is on the attempt's account, for its amount, and the attempt has no other payout
    if (!byMetadata || byMetadata.stripeAccount !== account || byMetadata.amount !== payout.amount || byMetadata.currency !== payout.currency) return null;
    if (byMetadata.stripePayoutId && byMetadata.stripePayoutId !== payout.id) return null;
    return byMetadata;
  }

  private observed(payout: PayoutSnapshot) {
    return { stripePayoutId: payout.id, stripeStatus: payout.status, arrivalDate: payout.arrivalDate, nextAttemptAt: null, waitingReason: null };
  }
}
