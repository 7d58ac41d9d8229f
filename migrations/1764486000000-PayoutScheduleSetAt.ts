import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the seller's connected account was put on the manual payout schedule (PAYOUT_MODE=reviewed).
 * Null: not yet (an account made before the switch, or a set that failed): the worker's pass sets it.
 * `payout_schedule_attempts` counts the calls made: each one's idempotency key derives from it, as
 * Stripe replays a key's saved answer, a 500 included, for 24 h (the set itself is safe to repeat).
 */
export class PayoutScheduleSetAt1764486000000 implements MigrationInterface {
  name = 'PayoutScheduleSetAt1764486000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seller_accounts ADD COLUMN payout_schedule_set_at timestamptz NULL, ADD COLUMN payout_schedule_attempts int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seller_accounts DROP COLUMN payout_schedule_set_at, DROP COLUMN payout_schedule_attempts`);
  }
}
