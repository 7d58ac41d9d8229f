import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An admin's retry of a failed payout request is an intent bound to its Idempotency-Key
 * (`@Idempotent({ intents: 'payout_retries' })`): a retry of that request after its api died
 * (committed, answer not stored) answers the retry it made instead of refusing it (the request is
 * no longer failed) or, once the new attempt failed too, reopening it a second time.
 */
export class PayoutRetryKeys1764629400000 implements MigrationInterface {
  name = 'PayoutRetryKeys1764629400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payout_retries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL REFERENCES payout_requests (id),
        principal_id uuid NOT NULL REFERENCES principals (id),
        idempotency_key varchar(255),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX payout_retries_idempotency_key_idx ON payout_retries (principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX payout_retries_request_idx ON payout_retries (request_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payout_retries`);
  }
}
