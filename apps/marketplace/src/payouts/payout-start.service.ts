import { randomUUID } from 'node:crypto';
import { Money } from '@app/money';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, SYSTEM_ACTOR } from '../audit/audit-log.service.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { BalanceCheckService, type BalanceComparison } from '../ledger/index.js';
import { SellerNotActiveError, SellerPayoutsFrozenError } from '../onboarding/onboarding.errors.js';
import { SellerGate } from '../onboarding/seller-gate.service.js';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { payoutAttemptKey, payoutStripeParams } from './payout-attempt-params.js';
import { mismatchReason } from './payout-request-decision.js';
import type { PayoutRequest } from './payout-request.entity.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PAYOUT_STATUS_CODES } from './payouts.errors.js';

type BalanceSides = Pick<BalanceComparison, 'currency' | 'stripe' | 'ledger' | 'matches'>;

/**
 * Why an approved request cannot be paid now by the balance check, or null: the ledger and Stripe
 * must agree and cover the amount (neither figure is paid while they differ, as at creation).
 */
export function balanceHold(request: Pick<PayoutRequest, 'amount' | 'currency'>, b: BalanceSides): { code: string; reason: string } | null {
  if (!b.matches) return { code: 'PAYOUTS.BALANCE_MISMATCH', reason: mismatchReason(b) };
  if (request.amount > b.stripe.available)
    return {
      code: 'PAYOUTS.AMOUNT_ABOVE_AVAILABLE',
      reason: `Waiting: the ${Money.of(request.amount, request.currency).toString()} approved is above the ${Money.of(b.stripe.available, request.currency).toString()} now available at Stripe and in the ledger`,
    };
  return null;
}

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
    private readonly balances: BalanceCheckService,
    private readonly audit: AuditLog,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Step 1: approved and frozen requests, each in its own transaction with its row locked. The
   * balance check (ledger against Stripe's available, ARCHITECTURE "Data and money": payouts run it
   * before paying) is read first, with no transaction open: funds may have moved since the request
   * was made and reviewed.
   */
  async startApproved(limit: number): Promise<number> {
    // approved ones first: requests that stay frozen never hold them up
    const rows: Array<{ id: string; seller_id: string; currency: string; stripe_account: string }> = await this.db.query(
      `SELECT id, seller_id, currency, stripe_account FROM payout_requests WHERE status IN ('approved', 'frozen') ORDER BY status = 'frozen', coalesce(checked_at, updated_at) LIMIT $1`,
      [limit],
    );
    let moved = 0;
    for (const row of rows) {
      try {
        // a seller frozen by the gate waits without a Stripe read; the transaction checks the gate again
        const balance = (await this.freezeOf(row.seller_id, this.db.manager)) ? null : await this.balanceOf(row);
        if (balance === undefined) continue; // Stripe did not answer: looked at again next pass
        if (await this.db.transaction((tx) => this.start(tx, row.id, balance))) moved++;
      } catch (error) {
        // one request's failure never holds up the others
        this.logger.error({ err: error, component: 'payout-execution', requestId: row.id }, 'approved payout request could not be started; tried again next pass');
      } finally {
        await this.db.query(`UPDATE payout_requests SET checked_at = now() WHERE id = $1 AND status IN ('approved', 'frozen')`, [row.id]).catch(() => undefined);
      }
    }
    return moved;
  }

  /** The balance check of the request's account and currency; undefined when Stripe could not be read. */
  private async balanceOf(row: { id: string; seller_id: string; currency: string; stripe_account: string }): Promise<BalanceSides | null | undefined> {
    try {
      const report = await this.balances.check({ sellerId: row.seller_id, currency: row.currency });
      const found = report.balances.find((b) => b.account === row.stripe_account && b.currency === row.currency);
      return found ?? { currency: row.currency, stripe: { available: 0n, pending: 0n }, ledger: { available: 0n, pending: 0n }, matches: true };
    } catch (error) {
      this.logger.warn({ component: 'payout-execution', requestId: row.id, err: error }, 'balance check before a payout could not be read; tried again next pass');
      return undefined;
    }
  }

  private async start(tx: EntityManager, id: string, balance: BalanceSides | null): Promise<boolean> {
    const [locked]: Array<{ id: string }> = await tx.query(`SELECT id FROM payout_requests WHERE id = $1 AND status IN ('approved', 'frozen') FOR UPDATE SKIP LOCKED`, [id]);
    if (!locked) return false;
    const request = (await this.payouts.findRequest(id, tx))!;
    const frozen = await this.freezeOf(request.sellerId, tx);
    if (!frozen && !balance) return false; // the freeze was lifted meanwhile: the balance is read next pass
    const hold = frozen ? { code: PAYOUT_STATUS_CODES.frozen, reason: frozen } : balanceHold(request, balance!);
    const subject = { type: 'payout_request', id };
    if (hold) {
      if (request.status === 'frozen' && request.statusCode === hold.code && request.statusReason === hold.reason) return false; // still waiting for the same reason: looked at again next pass
      await this.payouts.transitionRequest(tx, id, 'frozen', { statusCode: hold.code, statusReason: hold.reason }, ['approved', 'frozen']);
      await this.audit.record(tx, {
        subject,
        action: 'payout.frozen',
        actor: SYSTEM_ACTOR,
        before: { status: request.status, statusCode: request.statusCode },
        after: { status: 'frozen', statusCode: hold.code },
        reason: hold.reason,
      });
      this.logger.warn({ component: 'payout-execution', requestId: id, sellerId: request.sellerId, code: hold.code, reason: hold.reason }, 'approved payout waits at execution');
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
    if (!(await this.payouts.transitionRequest(tx, id, 'executing', { statusCode: null, statusReason: null }, ['approved']))) return false;
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
