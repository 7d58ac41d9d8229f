import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Holds on multi-seller orders' transfers: the order's hold (days after payment, 0 = none; only
 * separate-transfers orders, a destination charge moves the funds at once), and on each transfer
 * row when it is released on its own (`hold_until`, exists), the end of the order's hold
 * (`hold_expires_at`), who marked the part fulfilled / confirmed receipt, and the release: when,
 * why and by whom.
 */
export class TransferHolds1764435600000 implements MigrationInterface {
  name = 'TransferHolds1764435600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN hold_days int NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE orders ADD CONSTRAINT orders_hold_days_check CHECK (hold_days >= 0 AND hold_days <= 90 AND (hold_days = 0 OR charge_type = 'separate_transfers'))`);
    await q.query(`
      ALTER TABLE transfers
        ADD COLUMN hold_expires_at timestamptz,
        ADD COLUMN fulfilled_at timestamptz,
        ADD COLUMN fulfilled_by uuid,
        ADD COLUMN received_at timestamptz,
        ADD COLUMN received_by uuid,
        ADD COLUMN release_reason varchar(16),
        ADD COLUMN released_by uuid,
        ADD COLUMN released_by_role varchar(16)`);
    await q.query(`ALTER TABLE transfers ADD CONSTRAINT transfers_release_reason_check CHECK (release_reason IS NULL OR release_reason IN ('buyer', 'admin', 'auto', 'max_hold'))`);
    await q.query(
      `ALTER TABLE transfers ADD CONSTRAINT transfers_release_check CHECK ((released_at IS NULL) = (release_reason IS NULL) AND (released_at IS NULL OR hold_until IS NOT NULL) AND (hold_until IS NULL OR hold_expires_at IS NOT NULL))`,
    );
    await q.query(`CREATE INDEX transfers_hold_due_idx ON transfers (hold_until) WHERE released_at IS NULL AND hold_until IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX transfers_hold_due_idx`);
    await q.query(`ALTER TABLE transfers DROP CONSTRAINT transfers_release_check, DROP CONSTRAINT transfers_release_reason_check`);
    await q.query(
      `ALTER TABLE transfers DROP COLUMN hold_expires_at, DROP COLUMN fulfilled_at, DROP COLUMN fulfilled_by, DROP COLUMN received_at, DROP COLUMN received_by, DROP COLUMN release_reason, DROP COLUMN released_by, DROP COLUMN released_by_role`,
    );
    await q.query(`ALTER TABLE orders DROP CONSTRAINT orders_hold_days_check, DROP COLUMN hold_days`);
  }
}
