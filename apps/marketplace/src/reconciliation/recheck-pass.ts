import { Inject, Injectable } from '@nestjs/common';
import { RECONCILIATION_GATEWAY, type StripeGateway } from '@app/stripe';
import { BalanceCheckService } from '../ledger/index.js';
import { BooksReader } from './books-reader.js';
import { type Finding, fingerprintOf } from './discrepancies.js';
import { ObjectChecks } from './object-checks.js';
import { PayoutChecks } from './payout-checks.js';
import { type Discrepancy, type Phase, type ReconciliationRun, type RunCursor, type RunPass, nextCursor, unlessRefused } from './reconciliation-run.js';
import { type PageOutcome, ReconciliationStore, type RunItem } from './reconciliation-store.js';
import { TransactionJudge } from './transaction-judge.js';

const RECHECK_PAGE = 25;

/** A stored discrepancy as a finding again (it is still there, unchanged). */
export function asFinding(d: Discrepancy): Finding {
  const aspect = d.fingerprint.split(':')[4];
  return {
    ...(aspect ? { aspect } : {}),
    kind: d.kind,
    balance: d.balance,
    sellerId: d.sellerId,
    currency: d.currency,
    stripeObjectId: d.stripeObjectId,
    stripeBalanceTransactionId: d.stripeBalanceTransactionId,
    stripeAmount: d.stripeAmount,
    ledgerAmount: d.ledgerAmount,
    ours: d.ours,
    details: d.details,
    summary: d.summary,
  };
}

/**
 * Looks at one discrepancy's subject again, as the pass that found it would: a Stripe balance
 * transaction, a payout, or another Stripe object. Returns what differs about it now (empty: settled)
 * and the items of transactions it judged.
 */
@Injectable()
export class DiscrepancyRecheck {
  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly judge: TransactionJudge,
    private readonly payouts: PayoutChecks,
    private readonly objects: ObjectChecks,
    private readonly books: BooksReader,
  ) {}

  async recheck(run: ReconciliationRun, d: Discrepancy): Promise<{ findings: Finding[]; items: RunItem[]; settled: boolean } | null> {
    if (d.kind === 'balance_mismatch') return null; // the balance pass settles these
    if (d.stripeBalanceTransactionId) {
      const txn = await this.judge.retrieve(d.stripeBalanceTransactionId, d.balance);
      if (!txn) return { findings: [asFinding(d)], items: [], settled: false }; // still not at Stripe
      const items = await this.judge.judge(run, d.balance, [txn]);
      if (items[0]?.outcome === 'in_flight') return null;
      const findings = items.flatMap((i) => (i.finding ? [i.finding] : []));
      return { findings: [], items, settled: !findings.some((f) => fingerprintOf(f) === d.fingerprint) };
    }
    const id = d.stripeObjectId ?? '';
    // a subject whose event is still being worked, or that the books do not have yet, is not settled by being skipped
    if (!id || (await this.books.inFlightObjects([id])).has(id) || !(await this.books.hasBooked(id))) return null;
    let findings: Finding[];
    if (id.startsWith('po_')) findings = await this.payouts.checkByIds(d.balance, [id]);
    else if (id.startsWith('tr_')) findings = await this.objects.transfers([await this.gateway.retrieveTransfer(id)]);
    else if (id.startsWith('re_')) findings = await this.objects.refunds([await this.gateway.retrieveRefund(id)]);
    else if (id.startsWith('du_') || id.startsWith('dp_')) findings = await this.objects.disputes([await this.gateway.retrieveDispute(id)]);
    else if (id.startsWith('fee_')) findings = await this.objects.applicationFees([await this.gateway.retrieveApplicationFee(id)]);
    else return { findings: [asFinding(d)], items: [], settled: false }; // nothing we can read again: it stays until a person resolves it
    return { findings, items: [], settled: !findings.some((f) => fingerprintOf(f) === d.fingerprint) };
  }
}

/** First pass of a run: every live discrepancy of earlier runs is looked at again; settled ones are cleared by this run. */
@Injectable()
export class RecheckPass implements RunPass {
  readonly phases: readonly Phase[] = ['recheck'];
  readonly perBalance = false;

  constructor(
    private readonly store: ReconciliationStore,
    private readonly recheck: DiscrepancyRecheck,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const live = await this.store.liveBefore(run.id, cursor.after, RECHECK_PAGE);
    const findings: Finding[] = [];
    const items: RunItem[] = [];
    const cleared: string[] = [];
    for (const d of live) {
      // Stripe will not let us read its subject any more (a disconnected account): it stays, as it was
      const again = await unlessRefused(this.recheck.recheck(run, d), { findings: [asFinding(d)], items: [], settled: false });
      if (!again) continue;
      findings.push(...again.findings);
      items.push(...again.items);
      if (again.settled) cleared.push(d.id);
    }
    return { findings, items, cleared, rechecked: live.length, next: nextCursor(cursor, run.balances.length, { hasMore: live.length === RECHECK_PAGE, last: live.at(-1)?.id ?? null }, false) };
  }
}

/**
 * Last pass: the balance check, one balance at a time, per currency. A balance with events still
 * being worked in the inbox is in flight (neither a difference nor settled); one that agrees clears
 * its earlier difference.
 */
@Injectable()
export class BalancesPass implements RunPass {
  readonly phases: readonly Phase[] = ['balances'];
  readonly perBalance = true;

  constructor(
    private readonly balances: BalanceCheckService,
    private readonly store: ReconciliationStore,
    private readonly books: BooksReader,
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const balance = run.balances[cursor.balance]!;
    const next = nextCursor(cursor, run.balances.length, { hasMore: false, last: null }, true);
    const sellerId = balance === 'platform' ? null : await this.books.sellerOfAccount(balance);
    if ((balance !== 'platform' && !sellerId) || (await this.books.eventsInFlightFor(balance))) return { next };
    const report = await this.balances.check(sellerId ? { sellerId } : { platformOnly: true }, this.gateway);
    const findings: Finding[] = report.balances
      .filter((b) => !b.matches)
      .map((b) => ({
        kind: 'balance_mismatch' as const,
        balance: b.account ?? 'platform',
        sellerId: b.sellerId,
        currency: b.currency,
        stripeAmount: b.stripe.available + b.stripe.pending,
        ledgerAmount: b.ledger.available + b.ledger.pending,
        details: {
          stripe: { available: String(b.stripe.available), pending: String(b.stripe.pending) },
          ledger: { available: String(b.ledger.available), pending: String(b.ledger.pending) },
          checkedAt: report.checkedAt.toISOString(),
        },
        summary: `${b.account ?? 'The platform'} ${b.currency}: Stripe has ${b.stripe.available} available and ${b.stripe.pending} pending; the ledger ${b.ledger.available} and ${b.ledger.pending}`,
      }));
    const differing = new Set(findings.map(fingerprintOf));
    const cleared = (await this.store.liveOfKind('balance_mismatch', balance)).filter((d) => !differing.has(d.fingerprint)).map((d) => d.id);
    return { findings, cleared, next };
  }
}
