import pg from 'pg';

interface Lane {
  name: string;
  intervalMs: number;
}

/**
 * A rate schedule shared by every process on one database: one row per lane in
 * `stripe_request_budgets`, moved by `stripe_request_budget_take` (one round trip, row locks, the
 * database's clock, so every instance reads the same time). Its own small pool: a caller waiting
 * for a slot holds no connection, and the app's pool being busy never delays a slot.
 */
export class PgSlotStore {
  private readonly pool: pg.Pool;
  private readonly clock = new ClockOffset();
  private calibration: Promise<void> | null = null;

  constructor(databaseUrl: string, options: { applicationName?: string; max?: number } = {}) {
    // A slot is not worth a WAL flush: commits do not wait for one (a database crash may hand out
    // the last few milliseconds of slots twice, once).
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.max ?? 4,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5_000,
      options: '-c synchronous_commit=off',
    });
    // an idle connection dropped by the server must not crash the process; the next query reconnects
    this.pool.on('error', () => undefined);
    // at once, so the first request does not wait for a connection and the clock reads
    this.calibration = this.calibrate().catch(() => undefined);
  }

  /** A slot at `atMs` on `performance.now()`'s clock, or when to ask again. */
  async reserve(global: Lane, endpoint?: Lane): Promise<{ granted: true; atMs: number } | { granted: false; retryInMs: number }> {
    this.calibration ??= this.calibrate();
    await this.calibration;
    const asked = performance.now();
    const { rows } = await this.pool.query<{ granted: boolean; wait_ms: number; now_ms: number }>('SELECT granted, wait_ms, now_ms FROM stripe_request_budget_take($1, $2, $3, $4)', [
      global.name,
      global.intervalMs,
      endpoint?.name ?? null,
      endpoint?.intervalMs ?? null,
    ]);
    const answered = performance.now();
    const row = rows[0];
    if (!row) throw new Error('stripe_request_budget_take returned no row');
    const dbNow = Number(row.now_ms);
    this.clock.observe(asked, answered, dbNow);
    if (!row.granted) return { granted: false, retryInMs: Number(row.wait_ms) };
    return { granted: true, atMs: this.clock.toLocal(dbNow + Number(row.wait_ms)) };
  }

  // Before the first slot: a few reads of the database's clock one at a time, on a pool nothing
  // else uses yet, so the first slots are placed by a quick round trip, not by one that queued.
  private async calibrate(): Promise<void> {
    try {
      for (let i = 0; i < 5; i++) {
        const asked = performance.now();
        const { rows } = await this.pool.query<{ now_ms: number }>('SELECT extract(epoch FROM clock_timestamp())::double precision * 1000 AS now_ms');
        this.clock.observe(asked, performance.now(), Number(rows[0]!.now_ms));
      }
    } catch (error) {
      this.calibration = null; // the next reserve tries again
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The database's clock on this process's `performance.now()`: each answer is a sample (the database
 * read its clock between asking and answering), the one with the shortest round trip the best, aged
 * by a drift allowance so a newer one takes over. Round trips spent waiting for a pooled connection
 * make a sample worse, never the schedule: slots are placed by the database's clock, not by when the
 * answer came back.
 */
export class ClockOffset {
  private offset = 0;
  private error = Infinity;
  private at = 0;

  observe(asked: number, answered: number, remoteNow: number): void {
    const error = (answered - asked) / 2;
    // 500 ppm: far more than a clock drifts, so a better sample soon replaces an old one
    const aged = this.error + (answered - this.at) * 0.0005;
    if (error > aged) return;
    this.offset = remoteNow - (asked + answered) / 2;
    this.error = error;
    this.at = answered;
  }

  toLocal(remote: number): number {
    return remote - this.offset;
  }
}
