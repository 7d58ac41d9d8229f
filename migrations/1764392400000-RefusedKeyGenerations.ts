import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe keeps the result of a request under its idempotency key for 24 h, refusals included: a
 * return transfer refused with balance_insufficient would get the same refusal back for a day.
 * After such a refusal (nothing was made) the next attempt uses the next key generation
 * (`refund-failed-return:<id>:<n>`); unknown outcomes keep the same key.
 */
export class RefusedKeyGenerations1764392400000 implements MigrationInterface {
  name = 'RefusedKeyGenerations1764392400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds ADD COLUMN failure_return_key_generation integer NOT NULL DEFAULT 0, ADD COLUMN return_reversal_key_generation integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds DROP COLUMN return_reversal_key_generation, DROP COLUMN failure_return_key_generation`);
  }
}
