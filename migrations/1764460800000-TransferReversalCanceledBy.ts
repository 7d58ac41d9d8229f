import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which admin canceled a failed transfer reversal (POST /admin/transfer-reversals/:id/cancel), as transfers.canceled_by. */
export class TransferReversalCanceledBy1764460800000 implements MigrationInterface {
  name = 'TransferReversalCanceledBy1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_reversals ADD COLUMN canceled_by uuid NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer_reversals DROP COLUMN canceled_by`);
  }
}
