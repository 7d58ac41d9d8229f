import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsRegistry } from './metrics-registry.js';

/** The tables counted by status, the statuses that mean "still waiting" and the column of their age. */
const TABLES = {
  webhook_events: { since: 'received_at', statuses: ['pending', 'processing', 'processed', 'ignored', 'dead', 'quarantined'], waiting: ['pending', 'processing'] },
  transfers: { since: 'created_at', statuses: ['pending', 'submitting', 'succeeded', 'failed', 'canceled'], waiting: ['pending', 'submitting'] },
  transfer_reversals: { since: 'created_at', statuses: ['planned', 'pending', 'submitting', 'succeeded', 'debt', 'failed', 'canceled'], waiting: ['pending', 'submitting'] },
  payout_requests: {
    since: 'created_at',
    statuses: ['held', 'pending_review', 'approved', 'frozen', 'executing', 'paid', 'failed', 'rejected', 'canceled'],
    waiting: ['held', 'pending_review', 'approved', 'frozen', 'executing'],
  },
  payout_attempts: { since: 'created_at', statuses: ['pending', 'submitting', 'created', 'paid', 'failed', 'canceled'], waiting: ['pending', 'submitting', 'created'] },
  refunds: { since: 'created_at', statuses: ['pending', 'succeeded', 'failed'], waiting: ['pending'] },
} as const;
type Table = keyof typeof TABLES;

interface Snapshot {
  rows: Map<Table, Array<{ status: string; n: number; ageS: number | null }>>;
  openDiscrepancies: Array<{ kind: string; severity: string; n: number }>;
  lastCompletedRunAt: number | null;
}

// One round trip per scrape: each table grouped by status (the status indexes), then reconciliation.
const SNAPSHOT = [
  ...Object.entries(TABLES).map(
    ([table, { since }]) => `SELECT '${table}' AS source, status AS a, NULL AS b, count(*)::int AS n, extract(epoch FROM now() - min(${since}))::float8 AS v FROM ${table} GROUP BY status`,
  ),
  `SELECT 'discrepancies', kind, severity, count(*)::int, NULL FROM reconciliation_discrepancies WHERE status = 'open' GROUP BY kind, severity`,
  `SELECT 'reconciliation', NULL, NULL, 0, extract(epoch FROM max(finished_at))::float8 FROM reconciliation_runs WHERE status = 'completed'`,
].join('\nUNION ALL ');

/**
 * Gauges read from PostgreSQL when Prometheus scrapes (prom-client's collect()), never on a
 * request: rows by status and the age of the oldest waiting one, open reconciliation
 * discrepancies, the last completed reconciliation run. Every gauge of a scrape shares one query.
 */
@Injectable()
export class DatabaseGauges {
  private pending?: Promise<Snapshot>;

  constructor(
    metrics: MetricsRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    const snapshot = () => this.snapshot();
    const register = [metrics.registry];
    for (const [table, { statuses, waiting }] of Object.entries(TABLES) as Array<[Table, (typeof TABLES)[Table]]>) {
      const name = table === 'webhook_events' ? 'marketplace_webhook_inbox_events' : `marketplace_${table}`;
      new Gauge({
        name,
        help: `Rows of ${table} by status`,
        labelNames: ['status'] as const,
        registers: register,
        async collect() {
          const rows = (await snapshot()).rows.get(table) ?? [];
          for (const status of statuses) this.set({ status }, 0);
          for (const row of rows) this.set({ status: row.status }, row.n);
        },
      });
      new Gauge({
        name: `${name}_oldest_waiting_age_seconds`,
        help: `Age in seconds of the oldest ${table} row still waiting (${waiting.join(', ')}); 0 when none waits`,
        registers: register,
        async collect() {
          const rows = (await snapshot()).rows.get(table) ?? [];
          const ages = rows.filter((r) => (waiting as readonly string[]).includes(r.status)).map((r) => r.ageS ?? 0);
          this.set(Math.max(0, ...ages));
        },
      });
    }
    new Gauge({
      name: 'marketplace_reconciliation_open_discrepancies',
      help: 'Open reconciliation discrepancies by kind and severity',
      labelNames: ['kind', 'severity'] as const,
      registers: register,
      async collect() {
        this.reset();
        for (const d of (await snapshot()).openDiscrepancies) this.set({ kind: d.kind, severity: d.severity }, d.n);
      },
    });
    new Gauge({
      name: 'marketplace_reconciliation_last_completed_timestamp_seconds',
      help: 'When the last completed reconciliation run finished (Unix seconds); 0 before the first',
      registers: register,
      async collect() {
        this.set((await snapshot()).lastCompletedRunAt ?? 0);
      },
    });
  }

  // the gauges of one scrape are collected together: the first asks, the others share its answer
  private snapshot(): Promise<Snapshot> {
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(): Promise<Snapshot> {
    const result = (await this.dataSource.query(SNAPSHOT)) as Array<{ source: string; a: string | null; b: string | null; n: number; v: number | null }>;
    const snapshot: Snapshot = { rows: new Map(), openDiscrepancies: [], lastCompletedRunAt: null };
    for (const r of result) {
      if (r.source === 'discrepancies') snapshot.openDiscrepancies.push({ kind: r.a!, severity: r.b!, n: r.n });
      else if (r.source === 'reconciliation') snapshot.lastCompletedRunAt = r.v;
      else {
        const table = r.source as Table;
        snapshot.rows.set(table, [...(snapshot.rows.get(table) ?? []), { status: r.a!, n: r.n, ageS: r.v }]);
      }
    }
    return snapshot;
  }
}
