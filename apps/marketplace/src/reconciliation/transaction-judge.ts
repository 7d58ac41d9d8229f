import { Inject, Injectable } from '@nestjs/common';
import { type ListedBalanceTransaction, RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import { BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import { ReconciliationConfig } from './reconciliation.config.js';
import type { ReconciliationRun } from './reconciliation-run.js';
import type { RunItem } from './reconciliation-store.js';
import { matchTransaction } from './transaction-match.js';

/**
 * Judges Stripe balance transactions of one balance against the ledger: one item each (matched, a
 * discrepancy with its finding, or in flight: not booked yet while its event is in the inbox or it
 * is younger than RECONCILIATION_SKEW_S on Stripe's clock). Used by every pass that meets a transaction.
 */
@Injectable()
export class TransactionJudge {
  constructor(
    private readonly books: BooksReader,
    private readonly config: ReconciliationConfig,
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
  ) {}

  async judge(run: ReconciliationRun, balance: string, txns: ListedBalanceTransaction[]): Promise<RunItem[]> {
    if (!txns.length) return [];
    const figures = await this.books.figures(balance, txns);
    const inFlight = await this.books.inFlightObjects(txns.filter((t) => !figures.has(t.id) && t.source).map((t) => t.source!));
    const sellerId = balance === 'platform' ? null : await this.books.sellerOfAccount(balance);
    const clock = (run.stripeClock ?? new Date()).getTime();
    return txns.map((txn) => {
      const ledger = figures.get(txn.id) ?? null;
      const verdict = matchTransaction(txn, ledger);
      const base: RunItem = {
        balanceTransactionId: txn.id,
        balance,
        type: txn.type,
        source: txn.source,
        currency: txn.currency,
        amount: txn.amount,
        fee: txn.fee,
        net: txn.net,
        created: txn.created,
        availableOn: txn.availableOn,
        ledgerNet: ledger?.net ?? null,
        ledgerFee: ledger?.fee ?? null,
        entryIds: ledger?.entryIds ?? [],
        outcome: 'matched',
      };
      if (verdict.outcome === 'matched') return base;
      const young = txn.created.getTime() > clock - this.config.RECONCILIATION_SKEW_S * 1000;
      if (verdict.kind === 'missing_in_ledger' && (young || (txn.source !== null && inFlight.has(txn.source)))) return { ...base, outcome: 'in_flight' };
      const finding: Finding = {
        kind: verdict.kind,
        balance,
        sellerId,
        currency: txn.currency,
        stripeObjectId: txn.source,
        stripeBalanceTransactionId: txn.id,
        stripeAmount: verdict.stripeAmount,
        ledgerAmount: verdict.ledgerAmount,
        ours: { entryIds: ledger?.entryIds ?? [] },
        details: {
          type: txn.type,
          reportingCategory: txn.reportingCategory,
          created: txn.created.toISOString(),
          availableOn: txn.availableOn.toISOString(),
          amount: String(txn.amount),
          fee: String(txn.fee),
          net: String(txn.net),
        },
        summary: verdict.summary,
      };
      return { ...base, outcome: 'discrepancy', finding };
    });
  }

  /** One transaction read again from Stripe (null: Stripe has none with that id in that balance). */
  retrieve(id: string, balance: string): Promise<ListedBalanceTransaction | null> {
    return this.gateway.retrieveBalanceTransaction(id, balance === 'platform' ? undefined : balance);
  }
}
