import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { NotFoundError } from '../common/domain-error.js';
import { keysetPage, type Page } from '../common/page.js';
import { BalanceCheckService } from '../ledger/balance-check.service.js';
import { SellerAccount } from '../onboarding/seller-account.entity.js';
import type { ListPayoutRequestsQuery } from './dto/list-payout-requests.query.js';
import { PayoutAttempt } from './payout-attempt.entity.js';
import { PayoutApproval } from './payout-approval.entity.js';
import { PayoutRequest } from './payout-request.entity.js';
import { holdLimitStanding, payoutRiskFlags, riskThresholdsOf, type PayoutRiskFlag, type PayoutRiskThresholds } from './payout-risk.js';
import { PayoutRiskConfig } from './payout-risk.config.js';
import { PayoutSellerFacts, type SellerActivity } from './payout-seller-facts.js';

/** Stripe's available balance and the ledger's for the request's account and currency, read live; or why it could not be read. */
export type ReviewBalance = { stripeAvailable: bigint; ledgerAvailable: bigint; matches: boolean; checkedAt: Date } | { error: string; checkedAt: Date };

/** Everything an admin needs to decide on one request. */
export interface PayoutReview {
  request: PayoutRequest;
  approvals: PayoutApproval[];
  attempts: PayoutAttempt[];
  account: SellerAccount | null;
  balance: ReviewBalance;
  activity: SellerActivity;
  flags: PayoutRiskFlag[];
}

/** A seller's funds near or past Stripe's manual-payout hold limit. */
export interface HoldLimitStanding {
  sellerId: string;
  stripeAccount: string | null;
  country: string | null;
  currency: string;
  available: bigint;
  availableSince: Date;
  deadline: Date;
  daysLeft: number;
  limitDays: number;
  past: boolean;
  reason: string;
}

/**
 * The admins' review queue: payout requests with what an admin needs to decide (the seller's
 * account and requirements, the live balances, recent activity and the risk flags). Read-only.
 */
@Injectable()
export class PayoutReviewQueue {
  readonly thresholds: PayoutRiskThresholds;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly balances: BalanceCheckService,
    private readonly facts: PayoutSellerFacts,
    config: PayoutRiskConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.thresholds = riskThresholdsOf(config);
  }

  /** Requests by status and seller, oldest first (the order they wait in), each with its review. */
  async list(query: ListPayoutRequestsQuery): Promise<Page<PayoutReview>> {
    const qb = this.db.getRepository(PayoutRequest).createQueryBuilder('r');
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (query.sellerId) qb.andWhere('r.seller_id = :sellerId', { sellerId: query.sellerId });
    const page = await keysetPage(qb, { table: 'payout_requests', idColumn: 'id', idIsUuid: true, direction: 'ASC', keys: (a) => [`${a}.created_at`, `${a}.id`], idOf: (r) => r.id }, query);
    // one live balance read per request on the page (pages of this list are at most 50)
    const data: PayoutReview[] = [];
    for (const request of page.data) data.push(await this.review(request));
    return { ...page, data };
  }

  async detail(id: string): Promise<PayoutReview> {
    const request = await this.db.manager.findOneBy(PayoutRequest, { id });
    if (!request) throw new NotFoundError('Payout request', id);
    return this.review(request);
  }

  async review(request: PayoutRequest): Promise<PayoutReview> {
    const approvals = await this.db.manager.find(PayoutApproval, { where: { requestId: request.id }, order: { createdAt: 'ASC', adminId: 'ASC' } });
    const attempts = await this.db.manager.find(PayoutAttempt, { where: { requestId: request.id }, order: { createdAt: 'ASC', id: 'ASC' } });
    const account = await this.db.manager.findOneBy(SellerAccount, { sellerId: request.sellerId });
    const balance = await this.balance(request);
    const activity = await this.facts.activity(request.sellerId, this.thresholds.rateWindowDays);
    // the hold limit is the account's, whatever the currency: its oldest unpaid funds in any (unpaidFunds is oldest first)
    const [oldestUnpaid] = await this.facts.unpaidFunds(request.sellerId);
    const flags = payoutRiskFlags(
      {
        now: new Date(),
        stripeNow: await this.facts.stripeNow(),
        amount: request.amount,
        currency: request.currency,
        accountCreatedAt: account?.createdAt ?? null,
        country: account?.country ?? null,
        payoutsEnabled: account?.payoutsEnabled ?? false,
        pastDue: account?.pastDue ?? [],
        disabledReason: account?.disabledReason ?? null,
        paidPayouts: await this.facts.paidPayouts(request.sellerId, request.currency, request.id),
        openDisputes: activity.disputes.openList,
        ...activity.window,
        oldestUnpaidAvailableSince: oldestUnpaid?.oldestAvailableSince ?? null,
      },
      this.thresholds,
    );
    return { request, approvals, attempts, account, balance, activity, flags };
  }

  /** Sellers whose oldest unpaid available funds are within PAYOUT_HOLD_LIMIT_WARN_DAYS of Stripe's hold limit, or past it, on Stripe's clock; soonest first. */
  async holdLimit(at?: Date): Promise<HoldLimitStanding[]> {
    const now = at ?? (await this.facts.stripeNow());
    const unpaid = await this.facts.unpaidFunds();
    if (unpaid.length === 0) return [];
    const accounts = await this.db.manager.getRepository(SellerAccount).findBy(unpaid.map((u) => ({ sellerId: u.sellerId })));
    const byId = new Map(accounts.map((a) => [a.sellerId, a]));
    const standings: HoldLimitStanding[] = [];
    for (const u of unpaid) {
      const account = byId.get(u.sellerId);
      const country = account?.country ?? null;
      const s = holdLimitStanding(u.oldestAvailableSince, country, now, this.thresholds.holdLimitWarnDays);
      if (!s) continue;
      standings.push({ sellerId: u.sellerId, stripeAccount: account?.stripeAccountId ?? null, country, currency: u.currency, available: u.available, availableSince: u.oldestAvailableSince, ...s });
    }
    return standings.sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || a.sellerId.localeCompare(b.sellerId));
  }

  private async balance(request: PayoutRequest): Promise<ReviewBalance> {
    try {
      const report = await this.balances.check({ sellerId: request.sellerId, currency: request.currency });
      const mine = report.balances.find((b) => b.account === request.stripeAccount) ?? report.balances[0];
      if (!mine) return { error: `No balance of ${request.stripeAccount} in ${request.currency} was found`, checkedAt: report.checkedAt };
      return { stripeAvailable: mine.stripe.available, ledgerAvailable: mine.ledger.available, matches: mine.matches, checkedAt: report.checkedAt };
    } catch (error) {
      // the queue still answers when Stripe cannot be read: the admin sees why the figures are missing
      this.logger.warn({ err: error, component: 'payout-review', requestId: request.id }, 'balance read for a payout review failed');
      return { error: `Stripe's balance could not be read now: ${(error as Error).message}`, checkedAt: new Date() };
    }
  }
}
