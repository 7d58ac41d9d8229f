import { StripeGatewayError } from '@app/stripe';
import type { PageOutcome } from './reconciliation-store.js';
import type { DiscrepancyKind, Severity } from './discrepancies.js';

export type RunTrigger = 'schedule' | 'admin';
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';

/** The passes of a run, in order. A run's cursor names the pass it reached, the balance, and the last id it read. */
export const PHASES = ['recheck', 'in_flight', 'transactions', 'ledger', 'payouts', 'arrivals', 'transfers', 'refunds', 'disputes', 'fees', 'balances', 'done'] as const;
export type Phase = (typeof PHASES)[number];

export interface RunCursor {
  phase: Phase;
  /** Index into the run's balances (`platform`, then connected accounts), for per-balance passes. */
  balance: number;
  /** The last id read in this pass (Stripe's for Stripe lists, ours for ledger and recheck passes). */
  after: string | null;
}

export const START: RunCursor = { phase: 'recheck', balance: 0, after: null };

/** The cursor after a page: the same pass further on, its next balance, or the next pass. */
export function nextCursor(cursor: RunCursor, balances: number, page: { hasMore: boolean; last: string | null }, perBalance: boolean): RunCursor {
  if (page.hasMore && page.last) return { ...cursor, after: page.last };
  if (perBalance && cursor.balance + 1 < balances) return { phase: cursor.phase, balance: cursor.balance + 1, after: null };
  return { phase: PHASES[PHASES.indexOf(cursor.phase) + 1] ?? 'done', balance: 0, after: null };
}

/** The one page a pass reads at its cursor (the list's generator is closed after it: the next page is the next cursor's). */
export async function firstPage<T>(pages: AsyncGenerator<{ data: T[]; hasMore: boolean; last: string | null }>): Promise<{ data: T[]; hasMore: boolean; last: string | null }> {
  const first = await pages.next();
  await pages.return(undefined);
  return first.done ? { data: [], hasMore: false, last: null } : first.value;
}

/** The window a run reads of one balance: its own start when it was left out of earlier runs, the run's otherwise. */
export function windowOf(run: Pick<ReconciliationRun, 'windowFrom' | 'windowTo' | 'balanceFrom'>, balance: string): { gte: Date; lt: Date } {
  const own = run.balanceFrom?.[balance];
  return { gte: own ? new Date(own) : run.windowFrom, lt: run.windowTo };
}

/** Stripe refused for good (a disconnected account, a key without the permission): retrying will not help. */
export const refusedForGood = (error: unknown): error is StripeGatewayError => error instanceof StripeGatewayError && error.definitiveRefusal;

/** `read`, or `fallback` when Stripe refuses it for good. */
export function unlessRefused<T, F>(read: Promise<T>, fallback: F): Promise<T | F> {
  return read.catch((error: unknown) => {
    if (refusedForGood(error)) return fallback;
    throw error;
  });
}

/** A pass of a run: reads one page at its cursor and says what it found and where to go on. */
export interface RunPass {
  readonly phases: readonly Phase[];
  /** Reads one balance at a time (cursor.balance): a balance Stripe refuses to read is reported and the pass goes on to the next. */
  readonly perBalance: boolean;
  page(run: ReconciliationRun, cursor: RunCursor): Promise<PageOutcome>;
}

export const RUN_PASSES = Symbol('RUN_PASSES');

/** Counts kept with the cursor, in the transaction that moves it: a resumed run counts nothing twice. */
export interface RunCounts {
  stripeTransactions: number;
  matched: number;
  inFlight: number;
  discrepancies: number;
  rechecked: number;
  cleared: number;
  pages: number;
  /** Pages that failed (a Stripe error, a crash of the pass): the run resumed from its cursor each time. */
  failures: number;
}

export const NO_COUNTS: RunCounts = { stripeTransactions: 0, matched: 0, inFlight: 0, discrepancies: 0, rechecked: 0, cleared: 0, pages: 0, failures: 0 };

export interface ReconciliationRun {
  id: string;
  trigger: RunTrigger;
  slot: Date | null;
  requestedBy: string | null;
  windowFrom: Date;
  windowTo: Date;
  status: RunStatus;
  balances: string[];
  stripeClock: Date | null;
  cursor: RunCursor;
  counts: RunCounts;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
  /** Balances whose window starts before `windowFrom` (ISO): where the last run that read them ended, a skew earlier. */
  balanceFrom: Record<string, string>;
  /** When its items (the transactions it compared) were deleted after RECONCILIATION_ITEMS_RETENTION_DAYS; null while kept. */
  itemsPrunedAt: Date | null;
}

export type DiscrepancyStatus = 'open' | 'healed' | 'resolved' | 'cleared';

/**
 * Every allowed change of a discrepancy, `to` <- from: a heal done waits for the next run to confirm it
 * (healed -> cleared), or to find it still there (healed -> open); a person may resolve it with a note.
 */
export const DISCREPANCY_TRANSITIONS: Readonly<Record<DiscrepancyStatus, readonly DiscrepancyStatus[]>> = {
  open: ['healed'],
  healed: ['open', 'healed'],
  resolved: ['open', 'healed'],
  cleared: ['open', 'healed'],
};

export interface Heal {
  action: HealAction;
  at: string;
  by: string;
  result: Record<string, unknown>;
}

export type HealAction = 'backfill' | 'resync' | 'correct';

export interface Discrepancy {
  id: string;
  foundInRunId: string;
  lastSeenRunId: string;
  kind: DiscrepancyKind;
  severity: Severity;
  status: DiscrepancyStatus;
  fingerprint: string;
  balance: string;
  sellerId: string | null;
  currency: string | null;
  stripeObjectId: string | null;
  stripeBalanceTransactionId: string | null;
  stripeAmount: bigint | null;
  ledgerAmount: bigint | null;
  ours: { entryIds?: string[]; row?: { type: string; id: string } };
  details: Record<string, unknown>;
  summary: string;
  heals: Heal[];
  resolvedBy: string | null;
  resolutionNote: string | null;
  resolvedAt: Date | null;
  clearedInRunId: string | null;
  clearedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
