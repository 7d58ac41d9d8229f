import { formatAmount, Money } from '@app/money';
import { StripeGateway } from '@app/stripe';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import { NotFoundError } from '../common/domain-error.js';
import { decodeCursor, encodeCursor, type Page } from '../common/page.js';
import { dashboardUrl } from './discrepancies.js';
import type { ListDiscrepanciesQuery } from './dto/reconciliation.dto.js';
import type { Discrepancy, ReconciliationRun } from './reconciliation-run.js';
import { ReconciliationStore } from './reconciliation-store.js';
import { ReconciliationErrors } from './reconciliation.errors.js';

const CSV_BATCH = 1_000;
export const CSV_COLUMNS = [
  'balance_transaction',
  'balance',
  'type',
  'source',
  'created',
  'available_on',
  'currency',
  'amount',
  'fee',
  'net',
  'ledger_net',
  'ledger_fee',
  'outcome',
  'discrepancy_id',
  'ledger_entries',
  'dashboard_url',
];

export interface RunDetail {
  run: ReconciliationRun;
  matched: Array<{ balance: string; currency: string; compared: number; matched: number; matchedAmount: string }>;
  discrepancies: Array<{ kind: string; count: number; byStatus: Record<string, number> }>;
}

/** What admins and accountants read of runs: a run's matched totals and differences, its discrepancies a page at a time, and the CSV of everything it compared. */
@Injectable()
export class ReconciliationReports {
  constructor(
    private readonly store: ReconciliationStore,
    private readonly gateway: StripeGateway,
  ) {}

  get livemode(): boolean {
    return this.gateway.livemode;
  }

  async detail(id: string): Promise<RunDetail> {
    const run = await this.store.get(id);
    if (!run) throw new NotFoundError('Reconciliation run', id);
    const totals = await this.store.totals(id);
    const kinds = new Map<string, { kind: string; count: number; byStatus: Record<string, number> }>();
    for (const k of await this.store.kindsOf(id)) {
      const entry = kinds.get(k.kind) ?? { kind: k.kind, count: 0, byStatus: {} };
      entry.count += k.count;
      entry.byStatus[k.status] = k.count;
      kinds.set(k.kind, entry);
    }
    return {
      run,
      matched: totals.map((t) => ({ balance: t.balance, currency: t.currency, compared: t.stripeCount, matched: t.matchedCount, matchedAmount: String(t.matchedNet) })),
      discrepancies: [...kinds.values()],
    };
  }

  async discrepancies(runId: string, query: ListDiscrepanciesQuery): Promise<Page<Discrepancy>> {
    if (!(await this.store.get(runId))) throw new NotFoundError('Reconciliation run', runId);
    const after = query.startingAfter === undefined ? null : decodeCursor(query.startingAfter, true);
    const rows = await this.store.discrepanciesOf(runId, { kind: query.kind, status: query.status }, after, query.limit + 1);
    const hasMore = rows.length > query.limit;
    const data = hasMore ? rows.slice(0, query.limit) : rows;
    return { data, hasMore, nextCursor: hasMore ? encodeCursor(data.at(-1)!.id) : null };
  }

  async discrepancy(id: string): Promise<Discrepancy> {
    const d = await this.store.discrepancy(id);
    if (!d) throw new NotFoundError('Discrepancy', id);
    return d;
  }

  /** The run's items as CSV rows (amounts in the currency's major units, as an accountant reads them), read a batch at a time: memory flat in the run's size. */
  async csv(runId: string): Promise<NodeJS.ReadableStream> {
    const run = await this.store.get(runId);
    if (!run) throw new NotFoundError('Reconciliation run', runId);
    if (run.itemsPrunedAt) throw ReconciliationErrors.itemsPruned(runId, run.itemsPrunedAt);
    const out = stringify({ header: true, columns: CSV_COLUMNS });
    const major = (minor: bigint | null, currency: string) => (minor === null ? '' : formatAmount(Money.of(minor, currency)));
    void (async () => {
      let after: string | null = null;
      try {
        for (;;) {
          const batch = await this.store.itemsOf(runId, after, CSV_BATCH);
          for (const i of batch) {
            const row = [
              i.balanceTransactionId,
              i.balance,
              i.type,
              i.source ?? '',
              i.created.toISOString(),
              i.availableOn.toISOString(),
              i.currency,
              major(i.amount, i.currency),
              major(i.fee, i.currency),
              major(i.net, i.currency),
              major(i.ledgerNet, i.currency),
              major(i.ledgerFee, i.currency),
              i.outcome,
              i.discrepancyId ?? '',
              i.entryIds.join(' '),
              dashboardUrl(i.balanceTransactionId, i.balance, this.gateway.livemode) ?? '',
            ];
            if (!out.write(row)) await new Promise((resolve) => out.once('drain', resolve));
          }
          if (batch.length < CSV_BATCH) break;
          after = batch.at(-1)!.balanceTransactionId;
        }
        out.end();
      } catch (error) {
        out.destroy(error as Error);
      }
    })();
    return out;
  }
}
