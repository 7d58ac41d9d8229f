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

  constructor(databaseUrl: string, options: { applicationName?: string; max?: number } = {}) {
    // A slot is not worth a WAL flush: commits do not wait for one (a database crash may hand out
    // the last few milliseconds of slots twice, once).
    this.pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.max ?? 2,
      application_name: options.applicationName,
      connectionTimeoutMillis: 5_000,
      options: '-c synchronous_commit=off',
    });
    // an idle connection dropped by the server must not crash the process; the next query reconnects
    this.pool.on('error', () => undefined);
  }

  async reserve(global: Lane, endpoint?: Lane): Promise<{ granted: boolean; waitMs: number }> {
    const { rows } = await this.pool.query<{ granted: boolean; wait_ms: number }>('SELECT granted, wait_ms FROM stripe_request_budget_take($1, $2, $3, $4)', [
      global.name,
      global.intervalMs,
      endpoint?.name ?? null,
      endpoint?.intervalMs ?? null,
    ]);
    const row = rows[0];
    if (!row) throw new Error('stripe_request_budget_take returned no row');
    return { granted: row.granted, waitMs: Number(row.wait_ms) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
