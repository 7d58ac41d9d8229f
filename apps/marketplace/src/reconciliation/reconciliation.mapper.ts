import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { dashboardUrl, DISCREPANCY_KINDS } from './discrepancies.js';
import type { Discrepancy } from './reconciliation-run.js';
import type { ReconciliationRunListing } from './reconciliation-schedule.service.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class ReconciliationRunResponse {
  @ApiProperty({ type: String, nullable: true, description: 'The run (null: a missed slot)' }) id: string | null;
  @ApiProperty({ enum: ['schedule', 'admin'] }) trigger: string;
  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed', 'missed'], description: 'missed: the cron had this slot and no run happened for it' }) status: string;
  @ApiProperty({ type: String, nullable: true }) slot: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The window's start (Stripe's created)" }) windowFrom: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The window's end, exclusive" }) windowTo: string | null;
  @ApiProperty({ type: String, nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) finishedAt: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'When the transactions it compared were deleted (RECONCILIATION_ITEMS_RETENTION_DAYS): its CSV is gone, its totals and discrepancies stay',
  })
  itemsPrunedAt: string | null;
  @ApiProperty({ description: 'Where the run is (or stopped): pass, balance index, last id read', type: Object }) cursor: Record<string, unknown>;
  @ApiProperty({ description: 'Stripe transactions compared, matched, in flight, new discrepancies, rechecked, cleared, pages, failed pages', type: Object })
  counts: Record<string, number>;
  @ApiProperty({ type: String, nullable: true }) error: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The admin who asked for it' }) requestedBy: string | null;
}

export function toReconciliationRunResponse(item: ReconciliationRunListing): ReconciliationRunResponse {
  if (item.kind === 'missed')
    return {
      id: null,
      trigger: 'schedule',
      status: 'missed',
      slot: iso(item.slot),
      windowFrom: null,
      windowTo: null,
      startedAt: null,
      finishedAt: null,
      itemsPrunedAt: null,
      cursor: {},
      counts: {},
      error: null,
      requestedBy: null,
    };
  const r = item.run;
  return {
    id: r.id,
    trigger: r.trigger,
    status: r.status,
    slot: iso(r.slot),
    windowFrom: iso(r.windowFrom),
    windowTo: iso(r.windowTo),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    itemsPrunedAt: iso(r.itemsPrunedAt),
    cursor: { ...r.cursor },
    counts: { ...r.counts },
    error: r.error,
    requestedBy: r.requestedBy,
  };
}

export class ReconciliationRunsResponse {
  @ApiProperty() cron: string;
  @ApiProperty() days: number;
  @ApiProperty({ type: [ReconciliationRunResponse] }) data: ReconciliationRunResponse[];
}

export class MatchedTotalResponse {
  @ApiProperty({ description: '`platform` or a connected account id' }) balance: string;
  @ApiProperty() currency: string;
  @ApiProperty({ description: 'Stripe balance transactions compared' }) compared: number;
  @ApiProperty({ description: 'Of those, matched by the ledger' }) matched: number;
  @ApiProperty({ description: 'Net of the matched transactions, minor units' }) matchedAmount: string;
}

export class KindCountResponse {
  @ApiProperty({ enum: DISCREPANCY_KINDS }) kind: string;
  @ApiProperty({ description: 'Seen by this run' }) count: number;
  @ApiProperty({ description: 'How many of those are open or healed now', type: Object }) byStatus: Record<string, number>;
}

export class ReconciliationRunDetailResponse extends ReconciliationRunResponse {
  @ApiProperty({ type: [MatchedTotalResponse] }) matched: MatchedTotalResponse[];
  @ApiProperty({ type: [KindCountResponse] }) discrepancies: KindCountResponse[];
}

export class DiscrepancyResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: DISCREPANCY_KINDS }) kind: string;
  @ApiProperty({ enum: ['low', 'medium', 'high'] }) severity: string;
  @ApiProperty({ enum: ['open', 'healed', 'resolved', 'cleared'] }) status: string;
  @ApiProperty() summary: string;
  @ApiProperty({ description: '`platform` or a connected account id' }) balance: string;
  @ApiProperty({ type: String, nullable: true }) sellerId: string | null;
  @ApiProperty({ type: String, nullable: true }) currency: string | null;
  @ApiProperty({ description: "Stripe's side", type: Object }) stripe: {
    objectId: string | null;
    balanceTransactionId: string | null;
    amount: string | null;
    dashboardUrl: string | null;
    balanceTransactionUrl: string | null;
  };
  @ApiProperty({ description: 'Our side: ledger entry ids, the row it concerns, the amount the ledger has', type: Object }) ours: {
    entryIds: string[];
    row: { type: string; id: string } | null;
    amount: string | null;
  };
  @ApiProperty({ type: Object }) details: Record<string, unknown>;
  @ApiProperty({ description: 'What healed it (or tried to): action, when, by whom, and what it did (events backfilled, the correcting entry)', type: [Object] }) heals: object[];
  @ApiPropertyOptional({ type: Object, nullable: true }) resolution: { by: string; note: string; at: string } | null;
  @ApiProperty() foundInRunId: string;
  @ApiProperty() lastSeenRunId: string;
  @ApiProperty({ type: String, nullable: true, description: 'The run that found it settled' }) clearedInRunId: string | null;
  @ApiProperty() createdAt: string;
}

export function toDiscrepancyResponse(d: Discrepancy, livemode: boolean): DiscrepancyResponse {
  return {
    id: d.id,
    kind: d.kind,
    severity: d.severity,
    status: d.status,
    summary: d.summary,
    balance: d.balance,
    sellerId: d.sellerId,
    currency: d.currency,
    stripe: {
      objectId: d.stripeObjectId,
      balanceTransactionId: d.stripeBalanceTransactionId,
      amount: d.stripeAmount === null ? null : String(d.stripeAmount),
      dashboardUrl: dashboardUrl(d.stripeObjectId ?? (d.balance === 'platform' ? null : d.balance), d.balance, livemode),
      balanceTransactionUrl: dashboardUrl(d.stripeBalanceTransactionId, d.balance, livemode),
    },
    ours: { entryIds: d.ours.entryIds ?? [], row: d.ours.row ?? null, amount: d.ledgerAmount === null ? null : String(d.ledgerAmount) },
    details: d.details,
    heals: d.heals,
    resolution: d.resolvedAt && d.resolvedBy && d.resolutionNote ? { by: d.resolvedBy, note: d.resolutionNote, at: d.resolvedAt.toISOString() } : null,
    foundInRunId: d.foundInRunId,
    lastSeenRunId: d.lastSeenRunId,
    clearedInRunId: d.clearedInRunId,
    createdAt: d.createdAt.toISOString(),
  };
}
