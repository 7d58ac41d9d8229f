import { Inject, Injectable } from '@nestjs/common';
import { type ApplicationFeeSnapshot, type DisputeSnapshot, RECONCILIATION_GATEWAY, type RefundSnapshot, type StripeGateway, type TransferSnapshot } from '@app/stripe';
import { BooksReader } from './books-reader.js';
import type { Finding } from './discrepancies.js';
import { type Phase, type ReconciliationRun, type RunCursor, type RunPass, firstPage, nextCursor } from './reconciliation-run.js';
import type { PageOutcome } from './reconciliation-store.js';

// our refund statuses for Stripe's (requires_action waits like pending; a canceled refund is one that did not happen)
const REFUND_STATUS: Record<string, string> = { pending: 'pending', requires_action: 'pending', succeeded: 'succeeded', failed: 'failed', canceled: 'failed' };

/**
 * The platform's transfers, refunds, disputes and application fees against our rows and the ledger:
 * statuses equal Stripe's, and fees collected and refunded at Stripe equal what the ledger booked.
 * Objects we have no row of are the transaction passes' business (their money is missing there).
 */
@Injectable()
export class ObjectChecks {
  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly books: BooksReader,
  ) {}

  async transfers(list: TransferSnapshot[]): Promise<Finding[]> {
    const rows = await this.books.localRows(
      'transfer',
      list.map((t) => t.id),
    );
    const findings: Finding[] = [];
    for (const t of list) {
      const row = rows.get(t.id);
      if (!row) continue;
      const base = { balance: 'platform', currency: t.currency, stripeObjectId: t.id, ours: { row: { type: 'transfer', id: row.id } } };
      if (row.status === 'failed' || row.status === 'canceled')
        findings.push({
          ...base,
          kind: 'status_mismatch',
          stripeAmount: t.amount,
          ledgerAmount: row.amount,
          details: { ours: row.status, stripe: 'created', created: t.created.toISOString() },
          summary: `Transfer ${t.id} exists at Stripe; our row says ${row.status}`,
        });
      else if (row.amount !== t.amount)
        findings.push({
          ...base,
          kind: 'amount_mismatch',
          stripeAmount: t.amount,
          ledgerAmount: row.amount,
          summary: `Transfer ${t.id} moved ${t.amount} ${t.currency} at Stripe; our row says ${row.amount}`,
        });
    }
    return findings;
  }

  async refunds(list: RefundSnapshot[]): Promise<Finding[]> {
    const rows = await this.books.localRows(
      'refund',
      list.map((r) => r.id),
    );
    const inFlight = await this.books.inFlightObjects(list.map((r) => r.id));
    const findings: Finding[] = [];
    for (const r of list) {
      const row = rows.get(r.id);
      if (!row || inFlight.has(r.id) || REFUND_STATUS[r.status] === row.status) continue;
      findings.push({
        kind: 'status_mismatch',
        balance: 'platform',
        currency: r.currency,
        stripeObjectId: r.id,
        stripeAmount: r.amount,
        ledgerAmount: row.amount,
        ours: { row: { type: 'refund', id: row.id } },
        details: { ours: row.status, stripe: r.status, failureReason: r.failureReason, created: r.created.toISOString() },
        summary: `Refund ${r.id} is ${r.status} at Stripe; ours is ${row.status}`,
      });
    }
    return findings;
  }

  async disputes(list: DisputeSnapshot[]): Promise<Finding[]> {
    const rows = await this.books.localRows(
      'dispute',
      list.map((d) => d.id),
    );
    const inFlight = await this.books.inFlightObjects(list.map((d) => d.id));
    const findings: Finding[] = [];
    for (const d of list) {
      const row = rows.get(d.id);
      if (!row || inFlight.has(d.id) || row.status === d.status) continue;
      findings.push({
        kind: 'status_mismatch',
        balance: 'platform',
        currency: d.currency,
        stripeObjectId: d.id,
        stripeAmount: d.amount,
        ledgerAmount: row.amount,
        ours: { row: { type: 'dispute', id: row.id } },
        details: { ours: row.status, stripe: d.status, created: d.created.toISOString() },
        summary: `Dispute ${d.id} is ${d.status} at Stripe; ours is ${row.status}`,
      });
    }
    return findings;
  }

  /** Fees the ledger booked (destination charges' application fees): collected and refunded as Stripe says. */
  async applicationFees(list: ApplicationFeeSnapshot[]): Promise<Finding[]> {
    const refundsOf = new Map<string, string[]>();
    for (const f of list)
      if (f.amountRefunded > 0n)
        refundsOf.set(
          f.id,
          (await this.gateway.listApplicationFeeRefunds(f.id)).map((r) => r.id),
        );
    const booked = await this.books.applicationFees(
      list.map((f) => f.id),
      [...refundsOf.values()].flat(),
    );
    const findings: Finding[] = [];
    for (const f of list) {
      const collected = booked.collected.get(f.id);
      if (collected === undefined) continue; // not booked as a fee of ours: its transaction is judged by the transaction passes
      const refunded = (refundsOf.get(f.id) ?? []).reduce((sum, id) => sum + (booked.refunded.get(id) ?? 0n), 0n);
      const base = { kind: 'amount_mismatch' as const, balance: 'platform', currency: f.currency, stripeObjectId: f.id, details: { account: f.account, feeRefunds: refundsOf.get(f.id) ?? [] } };
      if (collected !== f.amount)
        findings.push({ ...base, stripeAmount: f.amount, ledgerAmount: collected, summary: `Application fee ${f.id} is ${f.amount} ${f.currency} at Stripe; the ledger booked ${collected}` });
      else if (refunded !== f.amountRefunded)
        findings.push({
          ...base,
          stripeAmount: f.amountRefunded,
          ledgerAmount: refunded,
          summary: `Stripe refunded ${f.amountRefunded} ${f.currency} of application fee ${f.id}; the ledger booked ${refunded} refunded`,
        });
    }
    return findings;
  }
}

/** The platform's lists created in the window, one pass each, a page at a time. */
@Injectable()
export class ObjectsPass implements RunPass {
  readonly phases: readonly Phase[] = ['transfers', 'refunds', 'disputes', 'fees'];
  readonly perBalance = false;

  constructor(
    @Inject(RECONCILIATION_GATEWAY) private readonly gateway: StripeGateway,
    private readonly checks: ObjectChecks,
  ) {}

  async page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome> {
    const q = { created: { gte: run.windowFrom, lt: run.windowTo }, startingAfter: cursor.after ?? undefined };
    let findings: Finding[];
    let page: { hasMore: boolean; last: string | null };
    switch (cursor.phase) {
      case 'transfers': {
        const p = await firstPage(this.gateway.pagesOfTransfers(q));
        [findings, page] = [await this.checks.transfers(p.data), p];
        break;
      }
      case 'refunds': {
        const p = await firstPage(this.gateway.pagesOfRefunds(q));
        [findings, page] = [await this.checks.refunds(p.data), p];
        break;
      }
      case 'disputes': {
        const p = await firstPage(this.gateway.pagesOfDisputes(q));
        [findings, page] = [await this.checks.disputes(p.data), p];
        break;
      }
      default: {
        const p = await firstPage(this.gateway.pagesOfApplicationFees(q));
        [findings, page] = [await this.checks.applicationFees(p.data), p];
      }
    }
    return { findings, next: nextCursor(cursor, run.balances.length, page, false) };
  }
}
