import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Dispute recoveries are claimed with a lease (FOR UPDATE SKIP LOCKED) and retried with a delay. */
export class DisputeRecoveryClaims1764363600000 implements MigrationInterface {
  name = 'DisputeRecoveryClaims1764363600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disputes ADD COLUMN recovery_next_attempt_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disputes DROP COLUMN recovery_next_attempt_at`);
  }
}
