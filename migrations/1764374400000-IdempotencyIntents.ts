import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An API Idempotency-Key is bound to the intent row it created: `(principal_id, idempotency_key)`
 * on orders (POST /checkout) and refunds (POST /orders/:id/refunds), written in the transaction
 * that records the intent. Unique where set: one key never makes two orders or two refunds; a
 * retry or a takeover finds the row and resumes it. Rows made without a key (webhooks) have neither;
 * a key reused after its 24 h lets go of its old row (idempotency_key set to NULL, principal_id kept).
 */
export class IdempotencyIntents1764374400000 implements MigrationInterface {
  name = 'IdempotencyIntents1764374400000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['orders', 'refunds']) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN principal_id uuid,
          ADD COLUMN idempotency_key varchar(255),
          ADD CONSTRAINT ${table}_idempotency_key_check CHECK (idempotency_key IS NULL OR principal_id IS NOT NULL)`);
      await q.query(`CREATE UNIQUE INDEX ${table}_idempotency_key_idx ON ${table} (principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refunds', 'orders']) {
      await q.query(`DROP INDEX ${table}_idempotency_key_idx`);
      await q.query(`
        ALTER TABLE ${table}
          DROP CONSTRAINT ${table}_idempotency_key_check,
          DROP COLUMN idempotency_key,
          DROP COLUMN principal_id`);
    }
  }
}
