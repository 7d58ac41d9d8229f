import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type Finding, SEVERITY, fingerprintOf } from './discrepancies.js';
import { type Discrepancy, type ReconciliationRun, type RunCounts, type RunCursor, type RunTrigger, NO_COUNTS, START } from './reconciliation-run.js';

/** One Stripe balance transaction a run compared, and how it came out. */
export interface RunItem {
  balanceTransactionId: string;
  balance: string;
  type: string;
  source: string | null;
  currency: string;
  amount: bigint;
  fee: bigint;
  net: bigint;
  created: Date;
  availableOn: Date;
  ledgerNet: bigint | null;
  ledgerFee: bigint | null;
  entryIds: string[];
  outcome: 'matched' | 'discrepancy' | 'in_flight';
  /** The finding (in the same page) this item is a discrepancy of. */
  finding?: Finding;
}

/** What one page of a pass produced, committed with the cursor that follows it. */
export interface PageOutcome {
  next: RunCursor;
  items?: RunItem[];
  findings?: Finding[];
  /** Discrepancies of earlier runs this run found settled. */
  cleared?: string[];
  rechecked?: number;
}

const RUN_COLUMNS = `id, trigger, slot, requested_by AS "requestedBy", window_from AS "windowFrom", window_to AS "windowTo", status, balances,
  stripe_clock AS "stripeClock", cursor, counts, error, started_at AS "startedAt", finished_at AS "finishedAt", created_at AS "createdAt",
  items_pruned_at AS "itemsPrunedAt", balance_from AS "balanceFrom"`;

const discrepancyColumns = (a: string) => `${a}.id, ${a}.found_in_run_id AS "foundInRunId", ${a}.last_seen_run_id AS "lastSeenRunId", ${a}.kind,
  ${a}.severity, ${a}.status, ${a}.fingerprint, ${a}.balance,
  ${a}.seller_id AS "sellerId", ${a}.currency, ${a}.stripe_object_id AS "stripeObjectId", ${a}.stripe_balance_transaction_id AS "stripeBalanceTransactionId",
  ${a}.stripe_amount::text AS "stripeAmount", ${a}.ledger_amount::text AS "ledgerAmount", ${a}.ours, ${a}.details,
  ${a}.summary, ${a}.heals, ${a}.resolved_by AS "resolvedBy", ${a}.resolution_note AS "resolutionNote",
  ${a}.resolved_at AS "resolvedAt", ${a}.cleared_in_run_id AS "clearedInRunId", ${a}.cleared_at AS "clearedAt", ${a}.created_at AS "createdAt",
  ${a}.updated_at AS "updatedAt"`;
const DISCREPANCY_COLUMNS = discrepancyColumns('reconciliation_discrepancies');

type RawDiscrepancy = Omit<Discrepancy, 'stripeAmount' | 'ledgerAmount'> & { stripeAmount: string | null; ledgerAmount: string | null };

export function toDiscrepancy(r: RawDiscrepancy): Discrepancy {
  return { ...r, stripeAmount: r.stripeAmount === null ? null : BigInt(r.stripeAmount), ledgerAmount: r.ledgerAmount === null ? null : BigInt(r.ledgerAmount) };
}

const toRun = (r: ReconciliationRun): ReconciliationRun => ({ ...r, cursor: { ...START, ...r.cursor }, counts: { ...NO_COUNTS, ...r.counts } });

/**
 * The reconciliation tables. A page of a run commits in one transaction: its items, the findings
 * (one live discrepancy per fingerprint: seen again, it is updated and linked to this run), the
 * matched totals, the counts and the cursor, so a run killed anywhere resumes after its last page
 * and counts nothing twice.
 */
@Injectable()
export class ReconciliationStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * A scheduled run of `slot` (null when that slot has one already), or an admin's run bound to its
   * Idempotency-Key (the run that key made already, when it did).
   */
  async create(run: { trigger: RunTrigger; slot: Date | null; requestedBy: string | null; idempotencyKey?: string; from: Date; to: Date }): Promise<ReconciliationRun | null> {
    const key = run.idempotencyKey ?? null;
    const rows: ReconciliationRun[] = await this.db.query(
      `INSERT INTO reconciliation_runs (trigger, slot, requested_by, principal_id, idempotency_key, window_from, window_to, status, cursor, counts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9) ON CONFLICT DO NOTHING RETURNING ${RUN_COLUMNS}`,
      [run.trigger, run.slot, run.requestedBy, key ? run.requestedBy : null, key, run.from, run.to, START, NO_COUNTS],
    );
    if (rows[0]) return toRun(rows[0]);
    if (!key) return null;
    const made: ReconciliationRun[] = await this.db.query(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE principal_id = $1 AND idempotency_key = $2`, [run.requestedBy, key]);
    return made[0] ? toRun(made[0]) : null;
  }

  async get(id: string): Promise<ReconciliationRun | null> {
    const rows: ReconciliationRun[] = await this.db.query(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE id = $1`, [id]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  /** The oldest run not finished: queued, or left running by an instance that died (the caller holds the run lock). */
  async nextUnfinished(): Promise<ReconciliationRun | null> {
    const rows: ReconciliationRun[] = await this.db.query(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE status IN ('queued', 'running') ORDER BY created_at, id LIMIT 1`);
    return rows[0] ? toRun(rows[0]) : null;
  }

  /** The window's end of the newest scheduled run (where the next one starts), or null before the first. */
  async lastScheduledWindowEnd(): Promise<Date | null> {
    const rows: Array<{ to: Date }> = await this.db.query(`SELECT window_to AS "to" FROM reconciliation_runs WHERE trigger = 'schedule' ORDER BY window_to DESC LIMIT 1`);
    return rows[0]?.to ?? null;
  }

  /**
   * When the latest completed run that started before this one started (its ledger pass saw what was posted
   * until then), or null. A run that started later (this one failed and was resumed after it) may have left
   * out the accounts this one reads: it does not move this one's `since`. Nor does a run whose window ended
   * more than `skewS` before Stripe's clock when it started (an admin's run of a past window): its ledger pass
   * left the transactions made after its window to later runs.
   */
  async previousCompletedStart(runId: string, skewS: number): Promise<Date | null> {
    const rows: Array<{ at: Date }> = await this.db.query(
      `SELECT started_at AS at FROM reconciliation_runs
        WHERE status = 'completed' AND id <> $1 AND started_at < coalesce((SELECT started_at FROM reconciliation_runs WHERE id = $1), now())
          AND (stripe_clock IS NULL OR window_to >= stripe_clock - make_interval(secs => $2))
        ORDER BY finished_at DESC LIMIT 1`,
      [runId, skewS],
    );
    return rows[0]?.at ?? null;
  }

  /** When the latest scheduled run before this one started, whatever became of it (activity since then makes an account worth reading), or null. */
  async previousScheduledStart(runId: string): Promise<Date | null> {
    const rows: Array<{ at: Date }> = await this.db.query(
      `SELECT started_at AS at FROM reconciliation_runs
        WHERE trigger = 'schedule' AND id <> $1 AND started_at IS NOT NULL AND created_at <= (SELECT created_at FROM reconciliation_runs WHERE id = $1)
        ORDER BY created_at DESC LIMIT 1`,
      [runId],
    );
    return rows[0]?.at ?? null;
  }

  /** Where the last completed scheduled run that read each balance ended (balances no such run read are absent). */
  async reconciledTo(balances: string[]): Promise<Map<string, Date>> {
    if (!balances.length) return new Map();
    const rows: Array<{ balance: string; to: Date }> = await this.db.query(`SELECT balance, reconciled_to AS "to" FROM reconciliation_balances WHERE balance = ANY($1)`, [balances]);
    return new Map(rows.map((r) => [r.balance, r.to]));
  }

  /**
   * A completed scheduled run read its balances to its window's end, except those it reported unreadable
   * (Stripe refused a pass of them): their mark stays, so once readable they are read from there.
   */
  async markReconciled(run: ReconciliationRun): Promise<void> {
    await this.db.query(
      `INSERT INTO reconciliation_balances (balance, reconciled_to, run_id)
       SELECT b, $2, $3 FROM unnest($1::text[]) b
        WHERE NOT EXISTS (SELECT 1 FROM reconciliation_findings f JOIN reconciliation_discrepancies d ON d.id = f.discrepancy_id
                           WHERE f.run_id = $3 AND d.kind = 'unreadable_balance' AND d.balance = b)
       ON CONFLICT (balance) DO UPDATE SET reconciled_to = greatest(reconciliation_balances.reconciled_to, EXCLUDED.reconciled_to), run_id = EXCLUDED.run_id, updated_at = now()`,
      [run.balances, run.windowTo, run.id],
    );
  }

  /** queued -> running with the balances it will read and Stripe's clock; a resumed run keeps both. */
  async start(id: string, balances: string[], stripeClock: Date, balanceFrom: Record<string, string> = {}): Promise<ReconciliationRun> {
    // an UPDATE ... RETURNING answers [rows, count] through TypeORM
    const [rows]: [ReconciliationRun[], number] = await this.db.query(
      `UPDATE reconciliation_runs
          SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now(),
              balances = CASE WHEN cardinality(balances) = 0 THEN $2::text[] ELSE balances END,
              balance_from = CASE WHEN cardinality(balances) = 0 THEN $4::jsonb ELSE balance_from END,
              stripe_clock = coalesce(stripe_clock, $3)
        WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${RUN_COLUMNS}`,
      [id, balances, stripeClock, balanceFrom],
    );
    if (!rows[0]) throw new Error(`reconciliation run ${id} is not queued or running`);
    return toRun(rows[0]);
  }

  /**
   * Deletes the items (compared transactions) of runs finished more than `days` ago, a few runs at a
   * time, marking each run pruned; totals, findings and discrepancies stay. The runs pruned.
   */
  async pruneItems(days: number, runs = 20): Promise<string[]> {
    const [rows]: [Array<{ id: string }>, number] = await this.db.query(
      `WITH old AS (
         SELECT id FROM reconciliation_runs
          WHERE items_pruned_at IS NULL AND finished_at < now() - make_interval(days => $1)
            AND (status = 'completed' OR (status = 'failed' AND trigger = 'admin'))
          ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED),
       gone AS (DELETE FROM reconciliation_items WHERE run_id IN (SELECT id FROM old))
       UPDATE reconciliation_runs SET items_pruned_at = now(), updated_at = now() WHERE id IN (SELECT id FROM old) RETURNING id`,
      [days, runs],
    );
    return rows.map((r) => r.id);
  }

  /** Failed scheduled runs are queued again (their cursor kept): a run that failed is not a window lost. */
  async requeueFailed(): Promise<number> {
    const [rows]: [unknown[], number] = await this.db.query(
      `UPDATE reconciliation_runs SET status = 'queued', finished_at = NULL, updated_at = now() WHERE status = 'failed' AND trigger = 'schedule' RETURNING id`,
    );
    return rows.length;
  }

  async finish(id: string, status: 'completed' | 'failed', error: string | null = null): Promise<void> {
    await this.db.query(`UPDATE reconciliation_runs SET status = $2, error = $3, finished_at = now(), updated_at = now() WHERE id = $1 AND status = 'running'`, [id, status, error]);
  }

  /** Commits one page: items, findings, clearances, totals, counts and the next cursor together. */
  async commitPage(runId: string, page: PageOutcome, from: RunCursor): Promise<RunCounts> {
    return this.db.transaction(async (tx) => {
      const [run] = (await tx.query(`SELECT counts, cursor FROM reconciliation_runs WHERE id = $1 AND status = 'running' FOR UPDATE`, [runId])) as Array<{ counts: RunCounts; cursor: RunCursor }>;
      if (!run) throw new Error(`reconciliation run ${runId} is not running`);
      // the page starts where the run is: another instance (one that lost its lock) has not moved it meanwhile
      if (JSON.stringify({ ...START, ...run.cursor }) !== JSON.stringify({ ...START, ...from })) throw new Error(`reconciliation run ${runId} moved on under this page`);
      const counts: RunCounts = { ...NO_COUNTS, ...run.counts };
      const ids = new Map<string, string>();
      for (const finding of [...(page.findings ?? []), ...(page.items ?? []).flatMap((i) => (i.finding ? [i.finding] : []))]) {
        const fp = fingerprintOf(finding);
        if (ids.has(fp)) continue;
        const { id, isNew } = await this.upsertFinding(tx, runId, finding, fp);
        ids.set(fp, id);
        if (isNew) counts.discrepancies++;
      }
      // the page's items in one statement (the first of a transaction repeated in the page wins), then
      // the totals of those not compared before, one upsert per balance and currency
      const firstOf = new Map<string, RunItem>();
      for (const item of page.items ?? []) if (!firstOf.has(item.balanceTransactionId)) firstOf.set(item.balanceTransactionId, item);
      const items = [...firstOf.values()];
      const inserted: Array<{ txn: string }> = items.length
        ? await tx.query(
            `INSERT INTO reconciliation_items (run_id, balance_transaction_id, balance, type, source, currency, amount, fee, net, created, available_on, ledger_net, ledger_fee, entry_ids, outcome, discrepancy_id)
             SELECT $1, t, b, ty, s, c, a, f, n, cr, av, ln, lf, e::uuid[], o, d
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::timestamptz[], $11::timestamptz[],
                           $12::bigint[], $13::bigint[], $14::text[], $15::text[], $16::uuid[]) AS i(t, b, ty, s, c, a, f, n, cr, av, ln, lf, e, o, d)
             ON CONFLICT DO NOTHING RETURNING balance_transaction_id AS txn`,
            [
              runId,
              items.map((i) => i.balanceTransactionId),
              items.map((i) => i.balance),
              items.map((i) => i.type),
              items.map((i) => i.source),
              items.map((i) => i.currency),
              items.map((i) => String(i.amount)),
              items.map((i) => String(i.fee)),
              items.map((i) => String(i.net)),
              items.map((i) => i.created.toISOString()),
              items.map((i) => i.availableOn.toISOString()),
              items.map((i) => (i.ledgerNet === null ? null : String(i.ledgerNet))),
              items.map((i) => (i.ledgerFee === null ? null : String(i.ledgerFee))),
              items.map((i) => `{${i.entryIds.join(',')}}`),
              items.map((i) => i.outcome),
              items.map((i) => (i.finding ? ids.get(fingerprintOf(i.finding))! : null)),
            ],
          )
        : [];
      const totals = new Map<string, { balance: string; currency: string; matchedCount: number; matchedNet: bigint; stripeCount: number }>();
      for (const { txn } of inserted) {
        const item = firstOf.get(txn)!;
        counts.stripeTransactions++;
        if (item.outcome === 'in_flight') counts.inFlight++;
        if (item.outcome === 'matched') counts.matched++;
        const key = `${item.balance} ${item.currency}`;
        const total = totals.get(key) ?? { balance: item.balance, currency: item.currency, matchedCount: 0, matchedNet: 0n, stripeCount: 0 };
        total.stripeCount++;
        if (item.outcome === 'matched') {
          total.matchedCount++;
          total.matchedNet += item.net;
        }
        totals.set(key, total);
      }
      for (const t of totals.values())
        await tx.query(
          `INSERT INTO reconciliation_run_totals (run_id, balance, currency, matched_count, matched_net, stripe_count) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (run_id, balance, currency) DO UPDATE SET matched_count = reconciliation_run_totals.matched_count + excluded.matched_count,
             matched_net = reconciliation_run_totals.matched_net + excluded.matched_net, stripe_count = reconciliation_run_totals.stripe_count + excluded.stripe_count`,
          [runId, t.balance, t.currency, t.matchedCount, t.matchedNet, t.stripeCount],
        );
      if (page.cleared?.length) {
        const [cleared]: [unknown[], number] = await tx.query(
          `UPDATE reconciliation_discrepancies SET status = 'cleared', cleared_in_run_id = $2, cleared_at = now(), updated_at = now()
            WHERE id = ANY($1) AND status IN ('open', 'healed') RETURNING id`,
          [page.cleared, runId],
        );
        counts.cleared += cleared.length;
      }
      counts.rechecked += page.rechecked ?? 0;
      counts.pages++;
      await tx.query(`UPDATE reconciliation_runs SET cursor = $2, counts = $3, updated_at = now() WHERE id = $1`, [runId, page.next, counts]);
      return counts;
    });
  }

  private async upsertFinding(tx: EntityManager, runId: string, f: Finding, fingerprint: string): Promise<{ id: string; isNew: boolean }> {
    // a difference a person resolved, seen again unchanged (amounts and what it says: statuses, reasons), stays
    // resolved (linked to this run); changed, it is a new item
    const [resolved]: Array<{ id: string }> = await tx.query(
      `SELECT id FROM reconciliation_discrepancies
        WHERE fingerprint = $1 AND status = 'resolved' AND stripe_amount IS NOT DISTINCT FROM $2 AND ledger_amount IS NOT DISTINCT FROM $3 AND summary = $4
          AND NOT EXISTS (SELECT 1 FROM reconciliation_discrepancies live WHERE live.fingerprint = $1 AND live.status IN ('open', 'healed'))
        ORDER BY resolved_at DESC LIMIT 1`,
      [fingerprint, f.stripeAmount ?? null, f.ledgerAmount ?? null, f.summary],
    );
    if (resolved) {
      await tx.query(`UPDATE reconciliation_discrepancies SET last_seen_run_id = $2, updated_at = now() WHERE id = $1`, [resolved.id, runId]);
      return this.link(tx, runId, resolved.id);
    }
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO reconciliation_discrepancies (found_in_run_id, last_seen_run_id, kind, severity, status, fingerprint, balance, seller_id, currency,
         stripe_object_id, stripe_balance_transaction_id, stripe_amount, ledger_amount, ours, details, summary)
       VALUES ($1, $1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (fingerprint) WHERE status IN ('open', 'healed') DO UPDATE
         SET last_seen_run_id = excluded.last_seen_run_id, status = 'open', stripe_amount = excluded.stripe_amount, ledger_amount = excluded.ledger_amount,
             ours = excluded.ours, details = excluded.details, summary = excluded.summary, updated_at = now()
       RETURNING id`,
      [
        runId,
        f.kind,
        SEVERITY[f.kind],
        fingerprint,
        f.balance,
        f.sellerId ?? null,
        f.currency ? f.currency.toUpperCase() : null,
        f.stripeObjectId ?? null,
        f.stripeBalanceTransactionId ?? null,
        f.stripeAmount ?? null,
        f.ledgerAmount ?? null,
        f.ours ?? {},
        f.details ?? {},
        f.summary,
      ],
    );
    return this.link(tx, runId, rows[0]!.id);
  }

  /** This run saw that discrepancy (once, however often a resumed page sees it again). */
  private async link(tx: EntityManager, runId: string, id: string): Promise<{ id: string; isNew: boolean }> {
    const linked: unknown[] = await tx.query(`INSERT INTO reconciliation_findings (run_id, discrepancy_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [runId, id]);
    return { id, isNew: linked.length > 0 };
  }

  /** Live discrepancies (open or healed) found before this run, after `after` in id order: what a run checks again first. */
  async liveBefore(runId: string, after: string | null, limit: number): Promise<Discrepancy[]> {
    const rows: RawDiscrepancy[] = await this.db.query(
      `SELECT ${DISCREPANCY_COLUMNS} FROM reconciliation_discrepancies
        WHERE status IN ('open', 'healed') AND found_in_run_id <> $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [runId, after, limit],
    );
    return rows.map(toDiscrepancy);
  }

  /** Live differences of one kind in one balance (the balance pass settles or sees its own again). */
  async liveOfKind(kind: string, balance: string): Promise<Discrepancy[]> {
    const rows: RawDiscrepancy[] = await this.db.query(`SELECT ${DISCREPANCY_COLUMNS} FROM reconciliation_discrepancies WHERE status IN ('open', 'healed') AND kind = $1 AND balance = $2`, [
      kind,
      balance,
    ]);
    return rows.map(toDiscrepancy);
  }

  async discrepancy(id: string, manager: EntityManager = this.db.manager): Promise<Discrepancy | null> {
    const rows: RawDiscrepancy[] = await manager.query(`SELECT ${DISCREPANCY_COLUMNS} FROM reconciliation_discrepancies WHERE id = $1`, [id]);
    return rows[0] ? toDiscrepancy(rows[0]) : null;
  }

  /** Locks a discrepancy for a change by a person (resolve, heal). */
  async lockDiscrepancy(tx: EntityManager, id: string): Promise<Discrepancy | null> {
    const rows: RawDiscrepancy[] = await tx.query(`SELECT ${DISCREPANCY_COLUMNS} FROM reconciliation_discrepancies WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toDiscrepancy(rows[0]) : null;
  }

  /** Runs created since `since`, newest first (at most 1,000). */
  async runsSince(since: Date): Promise<ReconciliationRun[]> {
    const rows: ReconciliationRun[] = await this.db.query(`SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE created_at > $1 ORDER BY created_at DESC, id DESC LIMIT 1000`, [since]);
    return rows.map(toRun);
  }

  /** What a run matched, per balance and currency. */
  async totals(runId: string): Promise<Array<{ balance: string; currency: string; matchedCount: number; matchedNet: bigint; stripeCount: number }>> {
    const rows: Array<{ balance: string; currency: string; matched_count: string; matched_net: string; stripe_count: string }> = await this.db.query(
      `SELECT balance, currency, matched_count::text, matched_net::text, stripe_count::text FROM reconciliation_run_totals WHERE run_id = $1 ORDER BY balance = 'platform' DESC, balance, currency`,
      [runId],
    );
    return rows.map((r) => ({ balance: r.balance, currency: r.currency, matchedCount: Number(r.matched_count), matchedNet: BigInt(r.matched_net), stripeCount: Number(r.stripe_count) }));
  }

  /** The discrepancies a run saw, counted by kind and by their status now. */
  async kindsOf(runId: string): Promise<Array<{ kind: string; status: string; count: number }>> {
    return this.db.query(
      `SELECT d.kind, d.status, count(*)::int AS count FROM reconciliation_findings f JOIN reconciliation_discrepancies d ON d.id = f.discrepancy_id
        WHERE f.run_id = $1 GROUP BY d.kind, d.status ORDER BY d.kind, d.status`,
      [runId],
    );
  }

  /** A page of the discrepancies a run saw, in id order after `after`. */
  async discrepanciesOf(runId: string, filter: { kind?: string; status?: string }, after: string | null, limit: number): Promise<Discrepancy[]> {
    const rows: RawDiscrepancy[] = await this.db.query(
      `SELECT ${discrepancyColumns('d')} FROM reconciliation_findings f JOIN reconciliation_discrepancies d ON d.id = f.discrepancy_id
        WHERE f.run_id = $1 AND ($2::text IS NULL OR d.kind = $2) AND ($3::text IS NULL OR d.status = $3) AND ($4::uuid IS NULL OR d.id > $4::uuid)
        ORDER BY d.id LIMIT $5`,
      [runId, filter.kind ?? null, filter.status ?? null, after, limit],
    );
    return rows.map(toDiscrepancy);
  }

  /** A run's items in transaction id order after `after` (the CSV export reads them a batch at a time). */
  async itemsOf(runId: string, after: string | null, limit: number): Promise<Array<RunItem & { discrepancyId: string | null }>> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT balance_transaction_id, balance, type, source, currency, amount::text, fee::text, net::text, created, available_on, ledger_net::text, ledger_fee::text, entry_ids, outcome, discrepancy_id
         FROM reconciliation_items WHERE run_id = $1 AND ($2::text IS NULL OR balance_transaction_id > $2::text) ORDER BY balance_transaction_id LIMIT $3`,
      [runId, after, limit],
    );
    const big = (v: unknown) => (v === null ? null : BigInt(v as string));
    return rows.map((r) => ({
      balanceTransactionId: r.balance_transaction_id as string,
      balance: r.balance as string,
      type: r.type as string,
      source: r.source as string | null,
      currency: r.currency as string,
      amount: BigInt(r.amount as string),
      fee: BigInt(r.fee as string),
      net: BigInt(r.net as string),
      created: r.created as Date,
      availableOn: r.available_on as Date,
      ledgerNet: big(r.ledger_net),
      ledgerFee: big(r.ledger_fee),
      entryIds: r.entry_ids as string[],
      outcome: r.outcome as RunItem['outcome'],
      discrepancyId: r.discrepancy_id as string | null,
    }));
  }
}
