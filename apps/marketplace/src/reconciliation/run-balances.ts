import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConnectedAccountDirectory } from '../webhooks/connected-account-directory.js';
import type { ReconciliationRun } from './reconciliation-run.js';
import { ReconciliationStore } from './reconciliation-store.js';
import { ReconciliationConfig } from './reconciliation.config.js';

export interface RunBalancesChoice {
  balances: string[];
  /** Balances whose window starts before the run's: where the last run that read them ended, a skew earlier (ISO). */
  balanceFrom: Record<string, string>;
}

/**
 * Which balances a run reads. An admin's run reads every one over its window. A scheduled run reads
 * the platform and the connected accounts with activity since the previous scheduled run started
 * (an event received, a ledger entry posted, a discrepancy still open or a transaction in flight),
 * those no scheduled run has read yet, and those whose sweep (RECONCILIATION_SWEEP_S) is due: money
 * Stripe moved without telling us is found by the sweep at the latest. An account read after being
 * left out is read from where the last run that read it ended, so no window of it is ever skipped.
 */
@Injectable()
export class RunBalances {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly store: ReconciliationStore,
    private readonly config: ReconciliationConfig,
  ) {}

  async choose(run: ReconciliationRun): Promise<RunBalancesChoice> {
    const all = (await this.accounts.list()).sort();
    if (run.trigger !== 'schedule') return { balances: ['platform', ...all], balanceFrom: {} };
    const marks = await this.store.reconciledTo(all);
    const since = await this.store.previousScheduledStart(run.id);
    const active = since ? await this.activeSince(since) : new Set(all);
    const sweepBefore = run.windowTo.getTime() - this.config.RECONCILIATION_SWEEP_S * 1000;
    const chosen = all.filter((a) => active.has(a) || !marks.has(a) || marks.get(a)!.getTime() < sweepBefore);
    const balanceFrom: Record<string, string> = {};
    for (const a of chosen) {
      const from = marks.has(a) ? marks.get(a)!.getTime() - this.config.RECONCILIATION_SKEW_S * 1000 : null;
      if (from !== null && from < run.windowFrom.getTime()) balanceFrom[a] = new Date(from).toISOString();
    }
    return { balances: ['platform', ...chosen], balanceFrom };
  }

  /** Connected accounts that something happened to since `since` (our clock), as our records show it. */
  private async activeSince(since: Date): Promise<Set<string>> {
    const rows: Array<{ account: string }> = await this.db.query(
      `SELECT account FROM webhook_events WHERE received_at >= $1 AND account IS NOT NULL
       UNION SELECT l.stripe_account FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id WHERE e.created_at >= $1 AND l.stripe_account IS NOT NULL
       UNION SELECT balance FROM reconciliation_discrepancies WHERE status IN ('open', 'healed') AND balance <> 'platform'
       UNION SELECT balance FROM reconciliation_items WHERE outcome = 'in_flight' AND balance <> 'platform'`,
      [since],
    );
    return new Set(rows.map((r) => r.account));
  }
}
