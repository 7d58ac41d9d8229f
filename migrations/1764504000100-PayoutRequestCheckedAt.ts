import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the execution worker last looked at an approved or frozen request (freezes and the balance
 * check): frozen requests are taken least recently checked first, so however many stay frozen for
 * the same reason, one whose freeze was lifted is reached.
 */
export class PayoutRequestCheckedAt1764504000100 implements MigrationInterface {
  name = 'PayoutRequestCheckedAt1764504000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payout_requests ADD COLUMN checked_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payout_requests DROP COLUMN checked_at`);
  }
}
