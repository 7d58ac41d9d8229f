import { Inject, Injectable } from '@nestjs/common';
import { type PayoutSnapshot, RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import { type BookedPayout, BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import { type Phase, type ReconciliationRun, type RunCursor, type RunPass, firstPage, nextCursor, windowOf } from './reconciliation-run.js';
import type { PageOutcome } from './reconciliation-store.js';

// what our attempt's status must be for each status of its payout at Stripe
const ATTEMPT_STATUS_FOR: Record<string, string> = { pending: 'created', in_transit: 'created', paid: 'paid', failed: 'failed', canceled: 'canceled' };
const LISTED = 20;

const accountOf = (balance: string) => (balance === 'platform' ? undefined : balance);

/**
 * One payout of a connected account against the platform's books:
 *  - status: failed or canceled at Stripe <=> its return booked in the ledger; our attempt's status follows Stripe's;
 *  - a manual payout was made by our attempt for a request admins approved;
 *  - what the ledger says it paid out (ledger_payout_allocations) sums to the payout;
 *  - an automatic payout whose reconciliation Stripe completed: its contents
 *    (`GET /v1/balance_transactions?payout=`) are the transactions the ledger says it paid out.
 * A payout the ledger never booked is left to the transaction passes (its balance transaction is missing).
 */
@Injectable()
export class PayoutChecks {
  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly books: BooksReader,
  ) {}

  async checkByIds(balance: string, ids: string[]): Promise<Finding[]> {
    const payouts: PayoutSnapshot[] = [];
    for (const id of new Set(ids)) payouts.push(await this.gateway.retrievePayout(id, accountOf(balance)));
    return this.check(balance, payouts);
  }

  async check(balance: string, payouts: PayoutSnapshot[]): Promise<Finding[]> {
    if (!payouts.length) return [];
    const booked = await this.books.bookedPayouts(payouts.map((p) => p.id));
    const inFlight = await this.books.inFlightObjects(payouts.map((p) => p.id));
    const sellerId = balance === 'platform' ? null : await this.books.sellerOfAccount(balance);
    const findings: Finding[] = [];
    for (const p of payouts) {
      const b = booked.get(p.id)!;
      if (!b.entryId || inFlight.has(p.id)) continue;
      const base = { balance, sellerId, currency: p.currency, stripeObjectId: p.id, stripeBalanceTransactionId: null, stripeAmount: p.amount };
      const ours = { entryIds: [b.entryId], ...(b.attempt ? { row: { type: 'payout_attempt', id: b.attempt.id } } : {}) };
      const cameBack = p.status === 'failed' || p.status === 'canceled';
      const expected = ATTEMPT_STATUS_FOR[p.status];
      if (cameBack !== b.returned || (b.attempt && expected && b.attempt.status !== expected))
        findings.push({
          ...base,
          kind: 'status_mismatch',
          ledgerAmount: b.allocated,
          ours,
          details: { stripeStatus: p.status, failureCode: p.failureCode, ledgerReturned: b.returned, attemptStatus: b.attempt?.status ?? null, created: p.created.toISOString() },
          summary: `Payout ${p.id} is ${p.status} at Stripe; ours says ${b.attempt ? `attempt ${b.attempt.status}, ` : ''}${b.returned ? 'returned' : 'paid out'}`,
        });
      if (!p.automatic && (!b.attempt || b.attempt.approvals < Math.max(1, b.attempt.approvalsRequired)))
        findings.push({
          ...base,
          kind: 'payout_contents_mismatch',
          aspect: 'approval',
          ledgerAmount: b.allocated,
          ours,
          details: { automatic: false, attempt: b.attempt, created: p.created.toISOString() },
          summary: b.attempt
            ? `Manual payout ${p.id} was made for request ${b.attempt.requestId}, which no admin approved`
            : `Manual payout ${p.id} was made by no request of ours (the Dashboard, or another integration)`,
        });
      if (cameBack || b.returned) continue;
      const contents = await this.contentsDiffer(balance, p, b);
      if (b.allocated !== p.amount || contents)
        findings.push({
          ...base,
          kind: 'payout_contents_mismatch',
          aspect: 'contents',
          ledgerAmount: b.allocated,
          ours,
          details: { automatic: p.automatic, reconciliationStatus: p.reconciliationStatus, created: p.created.toISOString(), ...(contents ?? {}) },
          summary:
            b.allocated !== p.amount
              ? `Payout ${p.id} took ${p.amount} ${p.currency}; the ledger says it paid out ${b.allocated}`
              : `Payout ${p.id}: Stripe's contents and the ledger's differ (${contents!.onlyAtStripe.length} only at Stripe, ${contents!.onlyInLedger.length} only in the ledger)`,
        });
    }
    return findings;
  }

  /** An automatic payout Stripe finished reconciling: the transactions it carried against those the ledger allocated to it (null when they agree). */
  private async contentsDiffer(balance: string, p: PayoutSnapshot, b: BookedPayout): Promise<{ onlyAtStripe: string[]; onlyInLedger: string[] } | null> {
    if (!p.automatic || p.reconciliationStatus !== 'completed' || p.status !== 'paid') return null;
    const own = p.balanceTransaction?.id;
    const inLedger = new Set(b.allocatedTransactions);
    const byObject = new Set(b.allocatedObjects);
    const atStripe = new Set<string>();
    const onlyAtStripe: string[] = [];
    for await (const page of this.gateway.pagesOfBalanceTransactions({ account: accountOf(balance), payout: p.id }))
      for (const t of page.data) {
        if (t.id === own || t.type === 'payout') continue;
        atStripe.add(t.id);
        // a line booked without its transaction id stands for it by the object that made it
        if (!inLedger.has(t.id) && !(t.source && byObject.has(t.source))) onlyAtStripe.push(t.id);
      }
    const onlyInLedger = [...inLedger].filter((id) => !atStripe.has(id));
    return onlyAtStripe.length || onlyInLedger.length ? { onlyAtStripe: onlyAtStripe.slice(0, LISTED), onlyInLedger: onlyInLedger.slice(0, LISTED) } : null;
  }
}

/**
 * Each connected account's payouts created in the window, then (`arrivals`) those made earlier whose
 * arrival falls in it: a payout becomes paid, and its contents known, days after it is made.
 */
@Injectable()
export class PayoutsPass implements RunPass {
  readonly phases: readonly Phase[] = ['payouts', 'arrivals'];
  readonly perBalance = true;

  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly checks: PayoutChecks,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    if (balance === 'platform') return { next: nextCursor(cursor, run.balances.length, { hasMore: false, last: null }, true) };
    const window = windowOf(run, balance);
    const arrivals = cursor.phase === 'arrivals';
    const page = await firstPage(this.gateway.pagesOfPayouts({ account: balance, ...(arrivals ? { arrival: window } : { created: window }), startingAfter: cursor.after ?? undefined }));
    const payouts = arrivals ? page.data.filter((p) => p.created < window.gte) : page.data;
    return { findings: await this.checks.check(balance, payouts), next: nextCursor(cursor, run.balances.length, page, true) };
  }
}
