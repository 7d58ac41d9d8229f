import { Money } from '@app/money';
import { StripeGatewayError } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type AuditActor, AuditLog, SYSTEM_ACTOR } from '../audit/audit-log.service.js';
import { DomainError, NotFoundError } from '../common/domain-error.js';
import { IdempotencyErrors, isUniqueViolation } from '../common/idempotency/idempotency.errors.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { refuseWhenBusy } from '../common/service-busy.js';
import type { Principal } from '../identity/principal.entity.js';
import { BalanceCheckService, type BalanceComparison } from '../ledger/index.js';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import { decidePayoutRequest, mismatchReason } from './payout-request-decision.js';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { PayoutRequest, type PayoutRequestOrigin } from './payout-request.entity.js';
import { PayoutRequestsConfig } from './payout-requests.config.js';
import { PayoutRequestsErrors } from './payout-requests.errors.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { OPEN_PAYOUT_REQUEST_STATUSES } from './payout-status.js';

export interface NewPayoutRequest {
  sellerId: string;
  /** Omitted: the one currency the seller has funds available in (several: PAYOUTS.CURRENCY_REQUIRED). */
  currency?: string;
  /** Minor units; omitted: what is available. */
  amount?: bigint;
  origin: PayoutRequestOrigin;
  /** The seller or admin who asks; null for the scheduled job (then runId). */
  by: Pick<Principal, 'id' | 'role'> | null;
  runId?: string;
  reason?: string;
  /** The API Idempotency-Key the request is bound to (with `by`). */
  idempotencyKey?: string;
}

const OPEN_INDEX = 'payout_requests_one_open_idx';
const KEY_INDEX = 'payout_requests_idempotency_key_idx';
// newest first
const REQUESTS_ORDER: KeysetOrder<PayoutRequest> = {
  table: 'payout_requests',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (r) => r.id,
};
const REASONS: Record<PayoutRequestOrigin, string> = {
  seller: 'requested by the seller',
  admin: 'requested by an admin for the seller',
  schedule: 'scheduled payout of the available balance',
};

/** A request's fields as the audit log records them (money as strings). */
export function auditFieldsOf(r: PayoutRequest): Record<string, unknown> {
  return {
    id: r.id,
    sellerId: r.sellerId,
    stripeAccount: r.stripeAccount,
    currency: r.currency,
    amount: r.amount.toString(),
    origin: r.origin,
    requestedBy: r.requestedBy,
    runId: r.runId,
    reason: r.reason,
    status: r.status,
    statusCode: r.statusCode,
    statusReason: r.statusReason,
    approvalsRequired: r.approvalsRequired,
    stripeAvailable: r.stripeAvailable?.toString() ?? null,
    ledgerAvailable: r.ledgerAvailable?.toString() ?? null,
  };
}

/**
 * Makes payout requests (a seller on demand, an admin, the scheduled job): the amount checked
 * against the connected account's available balance at Stripe and the ledger's (the balance
 * check); a difference holds the request instead of paying either figure. One open request per
 * seller and currency (checked first, and held by the unique index for races). The row and its
 * audit entry commit together; no transaction is open during the Stripe read.
 */
@Injectable()
export class PayoutRequestsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly balances: BalanceCheckService,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly config: PayoutRequestsConfig,
    private readonly audit: AuditLog,
    private readonly requests: PayoutRequestsRepository,
  ) {}

  async create(input: NewPayoutRequest): Promise<PayoutRequest> {
    const bound = await this.boundTo(input);
    if (bound) return bound;
    const account = await this.accountOf(input.sellerId);
    const currency = input.currency ? Money.zero(input.currency).currency : undefined;
    if (currency) await this.assertNoOpenRequest(input.sellerId, currency);
    const balances = (await this.readBalances(input.sellerId, currency)).filter((b) => b.account === account);
    const chosen = currency ? balances.find((b) => b.currency === currency) : this.onlyAvailable(balances);
    const sides = chosen ?? { currency: currency!, stripe: { available: 0n, pending: 0n }, ledger: { available: 0n, pending: 0n }, matches: true };
    if (!currency) await this.assertNoOpenRequest(input.sellerId, sides.currency);
    return this.record(input, account, sides);
  }

  /** One currency of a balance already read (the scheduled job reads each seller's once). */
  async createFrom(input: NewPayoutRequest & { currency: string }, account: string, balance: BalanceComparison): Promise<PayoutRequest> {
    return this.record(input, account, balance);
  }

  /**
   * A held request checked again: Stripe's and the ledger's figures agreeing now (and covering the
   * amount) move it to review; still apart, its figures and words are brought up to date. Either
   * way an audit entry. A request that is not held is answered as it is.
   */
  async recheck(requestId: string, actor: AuditActor = SYSTEM_ACTOR): Promise<PayoutRequest> {
    const found = await this.requests.findRequest(requestId);
    if (!found) throw new NotFoundError('Payout request', requestId);
    if (found.status !== 'held') return found;
    const balance = (await this.readBalances(found.sellerId, found.currency)).find((b) => b.account === found.stripeAccount && b.currency === found.currency);
    const sides = balance ?? { currency: found.currency, stripe: { available: 0n, pending: 0n }, ledger: { available: 0n, pending: 0n }, matches: true };
    const agrees = sides.matches && found.amount <= sides.stripe.available;
    const statusReason = agrees
      ? null
      : sides.matches
        ? `Held: the ${Money.of(found.amount, found.currency).toString()} asked for is above the ${Money.of(sides.stripe.available, found.currency).toString()} now available at Stripe`
        : mismatchReason(sides);
    return this.db.transaction(async (tx) => {
      const before = await this.requests.lockRequest(tx, requestId);
      if (before?.status !== 'held') return before ?? found;
      const statusCode = agrees ? null : sides.matches ? 'PAYOUTS.AMOUNT_ABOVE_AVAILABLE' : 'PAYOUTS.BALANCE_MISMATCH';
      const changes = { statusCode, statusReason, stripeAvailable: sides.stripe.available, ledgerAvailable: sides.ledger.available };
      // still held for the same figures (the worker rechecks often): nothing to write, nothing to audit
      if (!agrees && before.statusCode === statusCode && before.stripeAvailable === changes.stripeAvailable && before.ledgerAvailable === changes.ledgerAvailable) return before;
      await this.requests.transitionRequest(tx, requestId, agrees ? 'pending_review' : 'held', changes, ['held']);
      const after = (await this.requests.findRequest(requestId, tx))!;
      await this.audit.record(tx, {
        subject: { type: 'payout_request', id: requestId },
        action: 'rechecked',
        actor,
        before: auditFieldsOf(before),
        after: auditFieldsOf(after),
        reason: agrees ? "Stripe's and the ledger's figures agree: in review" : statusReason,
      });
      return after;
    });
  }

  /** One page of the seller's requests, newest first, each with its attempts (oldest first). */
  async listOfSeller(sellerId: string, page: PaginationQuery): Promise<Page<{ request: PayoutRequest; attempts: PayoutAttempt[] }>> {
    const requests = await keysetPage(this.db.getRepository(PayoutRequest).createQueryBuilder('r').where('r.seller_id = :sellerId', { sellerId }), REQUESTS_ORDER, page);
    const ids = requests.data.map((r) => r.id);
    const attempts = ids.length
      ? await this.db.getRepository(PayoutAttempt).createQueryBuilder('a').where('a.request_id IN (:...ids)', { ids }).orderBy('a.created_at', 'ASC').addOrderBy('a.id', 'ASC').getMany()
      : [];
    return { ...requests, data: requests.data.map((request) => ({ request, attempts: attempts.filter((a) => a.requestId === request.id) })) };
  }

  /** Held requests, oldest first (the scheduled job rechecks them). */
  async heldIds(): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM payout_requests WHERE status = 'held' ORDER BY created_at, id`);
    return rows.map((r) => r.id);
  }

  /** The seller's open request in each currency. */
  openRequests(sellerId: string, manager: EntityManager = this.db.manager): Promise<PayoutRequest[]> {
    return manager
      .getRepository(PayoutRequest)
      .createQueryBuilder('r')
      .where('r.seller_id = :sellerId AND r.status IN (:...open)', { sellerId, open: OPEN_PAYOUT_REQUEST_STATUSES })
      .orderBy('r.currency')
      .getMany();
  }

  /** The seller's connected account, or PAYOUTS.NO_CONNECTED_ACCOUNT. */
  async accountOf(sellerId: string): Promise<string> {
    const found = (await this.accounts.sellers()).find((s) => s.sellerId === sellerId);
    if (!found) throw PayoutRequestsErrors.noConnectedAccount(sellerId);
    return found.account;
  }

  /** The balance check for the seller's connected account (Stripe's GET /v1/balance beside the ledger), Stripe errors as 503. */
  async readBalances(sellerId: string, currency?: string): Promise<BalanceComparison[]> {
    try {
      return (await this.balances.check({ sellerId, currency })).balances;
    } catch (error) {
      if (error instanceof StripeGatewayError) throw PayoutRequestsErrors.balanceUnavailable(error);
      throw error;
    }
  }

  private onlyAvailable(balances: BalanceComparison[]): BalanceComparison | undefined {
    const available = balances.filter((b) => b.stripe.available > 0n);
    if (available.length > 1) throw PayoutRequestsErrors.currencyRequired(available.map((b) => b.currency));
    if (available.length === 0) throw PayoutRequestsErrors.nothingAvailable(null, null);
    return available[0];
  }

  private async assertNoOpenRequest(sellerId: string, currency: string): Promise<void> {
    const open = (await this.openRequests(sellerId)).find((r) => r.currency === currency);
    if (open) throw PayoutRequestsErrors.openRequestExists(currency, open.id);
  }

  /** The request this caller's Idempotency-Key already made, if any (a retry answers it). */
  private async boundTo(input: NewPayoutRequest): Promise<PayoutRequest | null> {
    if (!input.idempotencyKey || !input.by) return null;
    const bound = await this.db.getRepository(PayoutRequest).findOneBy({ principalId: input.by.id, idempotencyKey: input.idempotencyKey });
    if (bound && bound.sellerId !== input.sellerId) throw IdempotencyErrors.keyReused();
    return bound;
  }

  private async record(input: NewPayoutRequest, account: string, sides: Omit<BalanceComparison, 'balance' | 'sellerId' | 'account' | 'difference'>): Promise<PayoutRequest> {
    const decision = decidePayoutRequest(sides, input.amount, this.config.minimumFor(sides.currency));
    if (decision instanceof DomainError) throw decision;
    const row: Partial<PayoutRequest> = {
      sellerId: input.sellerId,
      stripeAccount: account,
      currency: sides.currency,
      amount: decision.amount,
      origin: input.origin,
      requestedBy: input.by?.id ?? null,
      runId: input.runId ?? null,
      reason: input.reason ?? REASONS[input.origin],
      status: decision.held ? 'held' : 'pending_review',
      statusCode: decision.held?.code ?? null,
      statusReason: decision.held?.reason ?? null,
      approvalsRequired: this.config.approvalsRequiredFor(decision.amount),
      stripeAvailable: sides.stripe.available,
      ledgerAvailable: sides.ledger.available,
      principalId: input.idempotencyKey ? (input.by?.id ?? null) : null,
      idempotencyKey: input.by ? (input.idempotencyKey ?? null) : null,
    };
    try {
      return await this.db.transaction(async (tx) => {
        const saved = await tx.save(tx.create(PayoutRequest, row));
        const created = (await this.requests.findRequest(saved.id, tx))!;
        const actor: AuditActor = input.by ? { id: input.by.id, role: input.by.role } : SYSTEM_ACTOR;
        await this.audit.record(tx, { subject: { type: 'payout_request', id: created.id }, action: 'created', actor, after: auditFieldsOf(created), reason: created.reason });
        return created;
      });
    } catch (error) {
      // another request for this seller and currency (or with this very key) committed first
      if (isUniqueViolation(error, OPEN_INDEX)) {
        const open = (await this.openRequests(input.sellerId)).find((r) => r.currency === sides.currency);
        throw PayoutRequestsErrors.openRequestExists(sides.currency, open?.id ?? null);
      }
      if (isUniqueViolation(error, KEY_INDEX)) return (await this.boundTo(input))!;
      refuseWhenBusy(error);
    }
  }
}
