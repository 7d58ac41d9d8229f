import { Inject, Injectable } from '@nestjs/common';
import { type ListedBalanceTransaction, RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import { BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import { ObjectChecks } from './object-checks.js';
import { PayoutChecks } from './payout-checks.js';
import { type Phase, type ReconciliationRun, type RunCursor, type RunPass, firstPage, nextCursor, unlessRefused, windowOf } from './reconciliation-run.js';
import { type PageOutcome, ReconciliationStore, type RunItem } from './reconciliation-store.js';
import { ReconciliationConfig } from './reconciliation.config.js';
import { TransactionJudge } from './transaction-judge.js';

const LEDGER_PAGE = 50;
// balance transactions that say a payout came back: its status is checked when they are met
const PAYOUT_RETURNS = new Set(['payout_failure', 'payout_cancel']);

const accountOf = (balance: string) => (balance === 'platform' ? undefined : balance);

/**
 * Stripe -> ledger: every balance transaction of each balance created in the run's window, a page
 * (100) at a time, judged against the ledger. A payout's return met here has its payout checked too
 * (a payout made in an earlier window that failed in this one).
 */
@Injectable()
export class StripeTransactionsPass implements RunPass {
  readonly phases: readonly Phase[] = ['transactions'];
  readonly perBalance = true;

  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly judge: TransactionJudge,
    private readonly payouts: PayoutChecks,
    private readonly objects: ObjectChecks,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    const page = await firstPage(this.gateway.pagesOfBalanceTransactions({ account: accountOf(balance), created: windowOf(run, balance), startingAfter: cursor.after ?? undefined }));
    const items = await this.judge.judge(run, balance, page.data);
    // objects made in earlier windows whose state changed in this one: their status is compared again here
    const sources = (keep: (t: ListedBalanceTransaction) => boolean) => [...new Set(page.data.filter(keep).map((t) => t.source!))];
    // the platform's own payouts have no attempt or allocation to compare: their transactions are judged above
    const returned = balance === 'platform' ? [] : sources((t) => PAYOUT_RETURNS.has(t.type) && !!t.source?.startsWith('po_'));
    // refunds and disputes are the platform's (destination charges and separate transfers alike)
    const failedRefunds = balance === 'platform' ? sources((t) => t.type === 'refund_failure' && !!t.source?.startsWith('re_')) : [];
    const disputes = balance === 'platform' ? sources((t) => !!t.source && (t.source.startsWith('du_') || t.source.startsWith('dp_'))) : [];
    const findings = [
      ...(returned.length ? await this.payouts.checkByIds(balance, returned) : []),
      ...(failedRefunds.length ? await this.objects.refunds(await Promise.all(failedRefunds.map((id) => this.gateway.retrieveRefund(id)))) : []),
      ...(disputes.length ? await this.objects.disputes(await Promise.all(disputes.map((id) => this.gateway.retrieveDispute(id)))) : []),
    ];
    return { items, findings, next: nextCursor(cursor, run.balances.length, page, true) };
  }
}

/**
 * Ledger -> Stripe: every balance transaction on a balance's cash lines that no run has compared yet,
 * or with lines posted since the previous run, is read from Stripe by id: Stripe has none ->
 * missing_in_stripe; Stripe has it -> judged (one made after the window waits for a later run).
 */
@Injectable()
export class LedgerTransactionsPass implements RunPass {
  readonly phases: readonly Phase[] = ['ledger'];
  readonly perBalance = true;

  constructor(
    private readonly books: BooksReader,
    private readonly judge: TransactionJudge,
    private readonly store: ReconciliationStore,
    private readonly config: ReconciliationConfig,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    const ids = await this.books.transactionsToCompare({
      runId: run.id,
      balance,
      after: cursor.after,
      limit: LEDGER_PAGE,
      since: await this.store.previousCompletedStart(run.id, this.config.RECONCILIATION_SKEW_S),
      // never-compared history reaches back as far as a first run does (not the whole ledger, one read each)
      horizon: new Date(Date.now() - this.config.RECONCILIATION_FIRST_WINDOW_S * 1000),
    });
    const items: RunItem[] = [];
    const findings: Finding[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const txn = await this.judge.retrieve(id, balance);
      if (!txn) missing.push(id);
      else if (txn.created.getTime() < run.windowTo.getTime()) items.push(...(await this.judge.judge(run, balance, [txn])));
    }
    if (missing.length) {
      const figures = await this.books.figures(
        balance,
        missing.map((id) => ({ id, source: null })),
      );
      const sellerId = balance === 'platform' ? null : await this.books.sellerOfAccount(balance);
      for (const id of missing) {
        const f = figures.get(id);
        findings.push({
          kind: 'missing_in_stripe',
          balance,
          sellerId,
          currency: f?.currencies[0] ?? null,
          stripeBalanceTransactionId: id,
          stripeAmount: null,
          ledgerAmount: f?.net ?? null,
          ours: { entryIds: f?.entryIds ?? [] },
          summary: `The ledger booked ${f?.net ?? '?'} ${f?.currencies.join(', ') ?? ''} with balance transaction ${id}, which Stripe does not have in this balance`,
        });
      }
    }
    return { items, findings, next: nextCursor(cursor, run.balances.length, { hasMore: ids.length === LEDGER_PAGE, last: ids.at(-1) ?? null }, true) };
  }
}

/** Transactions earlier runs left in flight are judged again first: a webhook that never came is found here. */
@Injectable()
export class InFlightPass implements RunPass {
  readonly phases: readonly Phase[] = ['in_flight'];
  readonly perBalance = false;

  constructor(
    private readonly books: BooksReader,
    private readonly judge: TransactionJudge,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const rows = await this.books.inFlightBefore(run.id, cursor.after, LEDGER_PAGE);
    const items: RunItem[] = [];
    for (const row of rows) {
      // one Stripe will not let us read any more (a disconnected account) stays in flight: its balance is reported unreadable
      const txn = await unlessRefused(this.judge.retrieve(row.txn, row.balance), null);
      if (txn) items.push(...(await this.judge.judge(run, row.balance, [txn])));
    }
    return { items, next: nextCursor(cursor, run.balances.length, { hasMore: rows.length === LEDGER_PAGE, last: rows.at(-1)?.txn ?? null }, false) };
  }
}
