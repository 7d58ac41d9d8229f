import { randomUUID } from 'node:crypto';
import { Money } from '@app/money';
import { claimDueRows } from '@app/database';
import { idempotencyKey, idempotencyKeyMayBeForgotten, refusalOf, StripeConfig, StripeGateway, StripeGatewayError, type PayoutSnapshot } from '@app/stripe';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, STRIPE_ACTOR, SYSTEM_ACTOR } from '../audit/audit-log.service.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { BalanceCheckService, type BalanceComparison } from '../ledger/index.js';
import { SellerNotActiveError, SellerPayoutsFrozenError } from '../onboarding/onboarding.errors.js';
import { SellerGate } from '../onboarding/seller-gate.service.js';
import { PayoutAttempt, type PayoutStripeParams } from './payout-attempt.entity.js';
import { PayoutLifecycle } from './payout-lifecycle.service.js';
import { mismatchReason } from './payout-request-decision.js';
import { PayoutRequest } from './payout-request.entity.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PAYOUT_STATUS_CODES } from './payouts.errors.js';
import { PayoutsConfig } from './payouts.config.js';

const MAX_RETRY_SECONDS = 600;

/** base, 2 × base, 4 × base ... (PAYOUT_EXECUTION_RETRY_BASE_MS) capped at 10 minutes, in seconds. */
export function payoutRetrySeconds(attempts: number, baseMs: number): number {
  return Math.min((baseMs / 1000) * 2 ** Math.max(0, Math.min(attempts - 1, 12)), MAX_RETRY_SECONDS);
}

/** `payout:<attemptId>`: the attempt row's one key (the database checks it). */
export function payoutAttemptKey(attemptId: string) {
  return idempotencyKey('payout', attemptId);
}

/** Exactly what the attempt sends, fixed on its row. */
export function payoutStripeParams(request: Pick<PayoutRequest, 'id' | 'amount' | 'currency' | 'sellerId'>, attemptId: string): PayoutStripeParams {
  return { amount: request.amount.toString(), currency: request.currency, metadata: { payout_request_id: request.id, payout_attempt_id: attemptId, seller_id: request.sellerId } };
}

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
 * Pays approved requests out, crash-safe as transfers are. A pass:
 *  1. requests `approved` or `frozen` (FOR UPDATE SKIP LOCKED): the freezes are checked again
 *     (SellerGate: account restricted, payouts disabled, an open dispute...): frozen -> the request
 *     waits `frozen` with the reason in words; not (or no longer) frozen -> one transaction moves it
 *     to `executing` and inserts its attempt (`pending`, key `payout:<attemptId>`, Stripe params fixed).
 *  2. attempts `pending` (or `submitting` whose lease ran out), claimed with a lease: `submitting`,
 *     the create with the row's params and key and no transaction open, then the outcome. An attempt
 *     sent before is looked up first (metadata.payout_attempt_id on the account's payouts). No sure
 *     answer (5xx, 429, network): back to pending, same key, backoff. A sure refusal: attempt and
 *     request failed with Stripe's code and words.
 *  A key older than 23 h is never sent again: the attempt was looked up and Stripe has no payout for
 *  it (a payout's metadata is set at its creation, and the list is the account's whole history), so
 *  nothing was made; it ends failed (PAYOUTS.PAYOUT_NOT_MADE) and an admin decides on a new attempt
 *  (a new key), rather than the worker re-sending a key Stripe may have forgotten.
 */
@Injectable()
export class PayoutExecution {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly gateway: StripeGateway,
    private readonly payouts: PayoutRequestsRepository,
    private readonly lifecycle: PayoutLifecycle,
    private readonly gate: SellerGate,
    private readonly balances: BalanceCheckService,
    private readonly audit: AuditLog,
    private readonly config: PayoutsConfig,
    private readonly stripe: StripeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  get leaseSeconds(): number {
    return this.config.PAYOUT_EXECUTION_CLAIM_LEASE_SECONDS ?? Math.ceil((2 * this.stripe.longestCallMs) / 1000);
  }

  /** One pass; returns how much moved (0: nothing to do now). */
  async runOnce(limit = 20): Promise<number> {
    const started = await this.startApproved(limit);
    const due = await this.claimAttempts(limit);
    await Promise.all(due.map((a) => this.submit(a).catch((error: unknown) => this.recordError(a, error))));
    return started + due.length;
  }

  /**
   * Step 1: approved and frozen requests, each in its own transaction with its row locked. The
   * balance check (ledger against Stripe's available, ARCHITECTURE "Data and money": payouts run it
   * before paying) is read first, with no transaction open: funds may have moved since the request
   * was made and reviewed.
   */
  async startApproved(limit: number): Promise<number> {
    const rows: Array<{ id: string; seller_id: string; currency: string; stripe_account: string }> = await this.db.query(
      `SELECT id, seller_id, currency, stripe_account FROM payout_requests WHERE status IN ('approved', 'frozen') ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    let moved = 0;
    for (const row of rows) {
      // a seller frozen by the gate waits without a Stripe read; the transaction checks the gate again
      const balance = (await this.freezeOf(row.seller_id, this.db.manager)) ? null : await this.balanceOf(row);
      if (balance === undefined) continue; // Stripe did not answer: looked at again next pass
      if (await this.db.transaction((tx) => this.start(tx, row.id, balance))) moved++;
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

  private async claimAttempts(limit: number): Promise<PayoutAttempt[]> {
    const ids = await claimDueRows((sql, params) => this.db.query(sql, params).then(([rows]: [Array<{ id: string }>, number]) => rows), {
      table: 'payout_attempts',
      due: `status IN ('pending', 'submitting')`,
      nextAttemptColumn: 'next_attempt_at',
      orderBy: 'next_attempt_at NULLS FIRST, created_at',
      limit,
      leaseSeconds: this.leaseSeconds,
    });
    if (ids.length === 0) return [];
    return this.db.getRepository(PayoutAttempt).createQueryBuilder('a').where('a.id IN (:...ids)', { ids }).getMany();
  }

  private async submit(attempt: PayoutAttempt): Promise<void> {
    // sent before (a crash mid-call, a lost answer): Stripe's word first
    if (attempt.keyFirstSentAt || attempt.submitAttempts > 0) {
      const found = await this.lookUp(attempt);
      if (found) return this.recordMade(attempt, found);
      if (attempt.keyFirstSentAt && idempotencyKeyMayBeForgotten(attempt.keyFirstSentAt)) return this.notMade(attempt);
    }
    const moved = await this.db.transaction(async (tx) => {
      const ok = await this.payouts.transitionAttempt(
        tx,
        attempt.id,
        'submitting',
        { keyFirstSentAt: attempt.keyFirstSentAt ?? new Date(), submitAttempts: () => 'submit_attempts + 1', waitingReason: null },
        ['pending', 'submitting'],
      );
      if (ok && attempt.submitAttempts === 0)
        await this.audit.record(tx, {
          subject: { type: 'payout_attempt', id: attempt.id },
          action: 'payout.submitting',
          actor: SYSTEM_ACTOR,
          before: { status: attempt.status },
          after: { status: 'submitting' },
        });
      return ok;
    });
    if (!moved) return;
    const p = attempt.stripeParams;
    const made = await this.gateway.createPayout({ account: attempt.stripeAccount, amount: BigInt(p.amount), currency: p.currency, metadata: p.metadata }, payoutAttemptKey(attempt.id));
    await this.recordMade(attempt, made);
  }

  /** The payout Stripe made under this attempt's key, if any. */
  private async lookUp(attempt: PayoutAttempt): Promise<PayoutSnapshot | null> {
    try {
      const found = await this.gateway.findPayoutByMetadata(attempt.stripeAccount, 'payout_attempt_id', attempt.id);
      return found && found.amount === attempt.amount && found.currency === attempt.currency ? found : null;
    } catch (error) {
      // not the payout's refusal (it may exist): never failed, looked up again later
      throw new Error(`payout attempt ${attempt.id} could not be looked up: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  // transaction 2: the outcome. An event may have recorded it first (the lifecycle adopts the id).
  private async recordMade(attempt: PayoutAttempt, payout: PayoutSnapshot): Promise<void> {
    try {
      await this.db.transaction(async (tx) => {
        if (
          await this.payouts.transitionAttempt(
            tx,
            attempt.id,
            'created',
            { stripePayoutId: payout.id, stripeStatus: payout.status, arrivalDate: payout.arrivalDate, nextAttemptAt: null, lastError: null },
            ['pending', 'submitting'],
          )
        ) {
          await this.audit.record(tx, { subject: { type: 'payout_attempt', id: attempt.id }, action: 'payout.created', actor: STRIPE_ACTOR, after: { status: 'created', stripePayoutId: payout.id } });
        }
        // the answer may already say more (a replay days later: paid or failed)
        await this.lifecycle.apply(tx, attempt.stripeAccount, payout);
      });
    } catch (error) {
      throw new Error(`payout ${payout.id} was made but not recorded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  private async notMade(attempt: PayoutAttempt): Promise<void> {
    const reason = 'No payout was made at Stripe: the attempt had no sure answer for 23 hours and Stripe has no payout for it. A platform admin can make a new attempt.';
    await this.db.transaction(async (tx) => {
      if (
        !(await this.payouts.transitionAttempt(tx, attempt.id, 'failed', { failureCode: PAYOUT_STATUS_CODES.payoutNotMade, failureMessage: reason, failedAt: () => 'now()', nextAttemptAt: null }, [
          'pending',
          'submitting',
        ]))
      )
        return;
      await this.payouts.transitionRequest(tx, attempt.requestId, 'failed', { statusCode: PAYOUT_STATUS_CODES.payoutNotMade, statusReason: reason }, ['executing']);
      await this.audit.record(tx, {
        subject: { type: 'payout_request', id: attempt.requestId },
        action: 'payout.not_made',
        actor: SYSTEM_ACTOR,
        after: { status: 'failed', attemptId: attempt.id },
        reason,
      });
    });
    this.logger.error({ component: 'payout-execution', attemptId: attempt.id, requestId: attempt.requestId, alert: 'payout_not_made' }, reason);
  }

  private async recordError(attempt: PayoutAttempt, error: unknown): Promise<void> {
    const refused = error instanceof StripeGatewayError && error.definitiveRefusal;
    const { code, message } = refusalOf(error);
    const log = { component: 'payout-execution', attemptId: attempt.id, requestId: attempt.requestId, account: attempt.stripeAccount, code, message, attempts: attempt.submitAttempts + 1 };
    if (refused) {
      const reason = `Stripe refused the payout${code ? ` (${code})` : ''}: ${message}`.slice(0, 2000);
      this.logger.error({ ...log, alert: 'payout_refused' }, 'Stripe refused a payout: the request failed');
      await this.db.transaction(async (tx) => {
        if (
          !(await this.payouts.transitionAttempt(tx, attempt.id, 'failed', { failureCode: code, failureMessage: message, lastError: message, failedAt: () => 'now()', nextAttemptAt: null }, [
            'submitting',
          ]))
        )
          return;
        await this.payouts.transitionRequest(tx, attempt.requestId, 'failed', { statusCode: PAYOUT_STATUS_CODES.payoutRefused, statusReason: reason }, ['executing']);
        await this.audit.record(tx, {
          subject: { type: 'payout_request', id: attempt.requestId },
          action: 'payout.refused',
          actor: STRIPE_ACTOR,
          after: { status: 'failed', attemptId: attempt.id, code },
          reason,
        });
      });
      return;
    }
    this.logger.warn({ ...log, err: error }, 'payout attempt did not finish; retried with the same key');
    await this.payouts.transitionAttempt(
      this.db.manager,
      attempt.id,
      'pending',
      { lastError: message, nextAttemptAt: () => `now() + make_interval(secs => ${payoutRetrySeconds(attempt.submitAttempts + 1, this.config.PAYOUT_EXECUTION_RETRY_BASE_MS)})` },
      ['pending', 'submitting'],
    );
  }
}
