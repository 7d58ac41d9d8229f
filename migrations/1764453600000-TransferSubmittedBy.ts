import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which instance (INSTANCE_NAME) last sent a transfer row to Stripe: for operators and for tests of several workers. */
export class TransferSubmittedBy1764453600000 implements MigrationInterface {
  name = 'TransferSubmittedBy1764453600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfers ADD COLUMN submitted_by text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfers DROP COLUMN submitted_by`);
  }
}
