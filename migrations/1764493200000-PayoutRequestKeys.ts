import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * POST /sellers/me/payouts binds its Idempotency-Key to the request it creates (as orders and
 * refunds do): `(principal_id, idempotency_key)`, unique where set, so one key never makes two
 * requests and a retry finds the one it made. Requests of the scheduled job have neither.
 * `payout_runs.sellers_failed`: sellers a run could not look at (a Stripe error), counted beside
 * those it considered; the run goes on without them and says which in `error`.
 */
export class PayoutRequestKeys1764493200000 implements MigrationInterface {
  name = 'PayoutRequestKeys1764493200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payout_requests
        ADD COLUMN principal_id uuid,
        ADD COLUMN idempotency_key varchar(255),
        ADD CONSTRAINT payout_requests_idempotency_key_check CHECK (idempotency_key IS NULL OR principal_id IS NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX payout_requests_idempotency_key_idx ON payout_requests (principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`ALTER TABLE payout_runs ADD COLUMN sellers_failed int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payout_runs DROP COLUMN sellers_failed`);
    await q.query(`DROP INDEX payout_requests_idempotency_key_idx`);
    await q.query(`ALTER TABLE payout_requests DROP CONSTRAINT payout_requests_idempotency_key_check, DROP COLUMN idempotency_key, DROP COLUMN principal_id`);
  }
}
