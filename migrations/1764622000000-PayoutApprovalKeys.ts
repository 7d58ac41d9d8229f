import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An approval remembers the Idempotency-Key of the request that made it: a retry with that key after
 * the api died mid-request (approval committed, answer not stored) answers the approval it made,
 * instead of refusing it as a second approval by the same admin. NULL for approvals made before.
 */
export class PayoutApprovalKeys1764622000000 implements MigrationInterface {
  name = 'PayoutApprovalKeys1764622000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payout_approvals ADD COLUMN idempotency_key varchar(255)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payout_approvals DROP COLUMN idempotency_key`);
  }
}
