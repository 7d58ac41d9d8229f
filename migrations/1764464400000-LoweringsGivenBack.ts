import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A failed refund's lowering of a transfer still unsent can be given back to that transfer before
 * the rest of its return (which waits for a reversal in flight), so a later refund is sized on the
 * transfer as raised back; `given_back_at` says so, and the return then only books it.
 */
export class LoweringsGivenBack1764464400000 implements MigrationInterface {
  name = 'LoweringsGivenBack1764464400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_reversals ADD COLUMN given_back_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_reversals DROP COLUMN given_back_at`);
  }
}
