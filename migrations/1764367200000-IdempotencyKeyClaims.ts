import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each claim of an Idempotency-Key gets a token: only its owner may complete or release it. */
export class IdempotencyKeyClaims1764367200000 implements MigrationInterface {
  name = 'IdempotencyKeyClaims1764367200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN claim_token uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claim_token`);
  }
}
