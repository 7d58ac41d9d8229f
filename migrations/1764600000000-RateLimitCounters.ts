import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every api instance: one row per limited key (`checkout:<principal>`,
 * `auth-failures:<address>`) and fixed window, counted with one `INSERT ... ON CONFLICT DO UPDATE
 * ... RETURNING` on the database's clock. Expired windows are deleted by the api's cleanup (by
 * `window_ends_at`); an expired row that is still there starts a new window on its next hit.
 */
export class RateLimitCounters1764600000000 implements MigrationInterface {
  name = 'RateLimitCounters1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_limit_counters (
        key varchar(200) PRIMARY KEY,
        points integer NOT NULL,
        window_ends_at timestamptz NOT NULL,
        CONSTRAINT rate_limit_counters_points_check CHECK (points >= 0)
      )`);
    await q.query(`CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_ends_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_limit_counters`);
  }
}
