import { RateLimiterRes } from 'rate-limiter-flexible';
import RateLimiterStoreAbstract from 'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js';
import type { DataSource } from 'typeorm';

interface CounterRow {
  points: number;
  ms_left: number;
}

const MS_LEFT = `GREATEST(0, ceil(extract(epoch FROM c.window_ends_at - now()) * 1000))::int AS ms_left`;

// One round trip per hit, on the database's clock: a new key or an ended window starts at `points`.
const CONSUME = `
  INSERT INTO rate_limit_counters AS c (key, points, window_ends_at)
  VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN c.window_ends_at <= now() THEN EXCLUDED.points ELSE LEAST(c.points::bigint + EXCLUDED.points, 2147483647)::int END,
    window_ends_at = CASE WHEN c.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE c.window_ends_at END
  RETURNING c.points, ${MS_LEFT}`;

// block() and set(): the points and a new window, whatever ran before
const SET = `
  INSERT INTO rate_limit_counters AS c (key, points, window_ends_at)
  VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
  ON CONFLICT (key) DO UPDATE SET points = EXCLUDED.points, window_ends_at = EXCLUDED.window_ends_at
  RETURNING c.points, ${MS_LEFT}`;

const GET = `SELECT c.points, ${MS_LEFT} FROM rate_limit_counters c WHERE c.key = $1 AND c.window_ends_at > now()`;

/**
 * A rate-limiter-flexible store on PostgreSQL's clock (table rate_limit_counters, migration
 * RateLimitCounters): every api instance on the database counts the same points, and instances
 * whose clocks differ still agree on when a window ends. The package's own RateLimiterPostgres
 * keeps expiry as the process's Date.now(), so it is not used.
 */
export class PgRateLimiter extends RateLimiterStoreAbstract {
  constructor(
    private readonly dataSource: DataSource,
    opts: { keyPrefix: string; points: number; duration: number },
  ) {
    super({ ...opts, storeClient: dataSource, inMemoryBlockOnConsumed: 0 });
  }

  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<CounterRow> {
    const [row] = (await this.dataSource.query(forceExpire ? SET : CONSUME, [rlKey, points, msDuration])) as CounterRow[];
    return row!;
  }

  async _get(rlKey: string): Promise<CounterRow | null> {
    const [row] = (await this.dataSource.query(GET, [rlKey])) as CounterRow[];
    return row ?? null;
  }

  async _delete(rlKey: string): Promise<boolean> {
    const [, deleted] = (await this.dataSource.query(`DELETE FROM rate_limit_counters WHERE key = $1`, [rlKey])) as [unknown, number];
    return deleted > 0;
  }

  _getRateLimiterRes(_rlKey: string, changedPoints: number, row: CounterRow): RateLimiterRes {
    return new RateLimiterRes(Math.max(this.points - row.points, 0), row.ms_left, row.points, row.points === changedPoints);
  }
}

/** Deletes every counter whose window has ended (one indexed DELETE); returns how many. */
export async function deleteExpiredCounters(dataSource: DataSource): Promise<number> {
  const [, deleted] = (await dataSource.query(`DELETE FROM rate_limit_counters WHERE window_ends_at <= now()`)) as [unknown, number];
  return deleted;
}
