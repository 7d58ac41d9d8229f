import { Inject, Injectable } from '@nestjs/common';
import { RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import { BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import { PayoutChecks } from './payout-checks.js';
import { type Phase, type ReconciliationRun, type RunCursor, type RunPass, firstPage, nextCursor } from './reconciliation-run.js';
import type { PageOutcome, RunItem } from './reconciliation-store.js';
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

  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly judge: TransactionJudge,
    private readonly payouts: PayoutChecks,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    const page = await firstPage(
      this.gateway.pagesOfBalanceTransactions({ account: accountOf(balance), created: { gte: run.windowFrom, lt: run.windowTo }, startingAfter: cursor.after ?? undefined }),
    );
    const items = await this.judge.judge(run, balance, page.data);
    const returned = page.data.filter((t) => PAYOUT_RETURNS.has(t.type) && t.source?.startsWith('po_')).map((t) => t.source!);
    const findings = returned.length ? await this.payouts.checkByIds(balance, returned) : [];
    return { items, findings, next: nextCursor(cursor, run.balances.length, page, true) };
  }
}

/**
 * Ledger -> Stripe: every balance transaction on a balance's cash lines that no run has compared yet
 * is read from Stripe by id: Stripe has none -> missing_in_stripe; Stripe has it -> judged (one made
 * after the window waits for a later run).
 */
@Injectable()
export class LedgerTransactionsPass implements RunPass {
  readonly phases: readonly Phase[] = ['ledger'];

  constructor(
    private readonly books: BooksReader,
    private readonly judge: TransactionJudge,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    const ids = await this.books.unreconciledTransactions(run.id, balance, cursor.after, LEDGER_PAGE);
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

  constructor(
    private readonly books: BooksReader,
    private readonly judge: TransactionJudge,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const rows = await this.books.inFlightBefore(run.id, cursor.after, LEDGER_PAGE);
    const items: RunItem[] = [];
    for (const row of rows) {
      const txn = await this.judge.retrieve(row.txn, row.balance);
      if (txn) items.push(...(await this.judge.judge(run, row.balance, [txn])));
    }
    return { items, next: nextCursor(cursor, run.balances.length, { hasMore: rows.length === LEDGER_PAGE, last: rows.at(-1)?.txn ?? null }, false) };
  }
}
