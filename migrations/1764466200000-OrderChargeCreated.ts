import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When Stripe created the order's charge (its `created`): the start of a held order's hold and of Stripe's 90-day bound on it. */
export class OrderChargeCreated1764466200000 implements MigrationInterface {
  name = 'OrderChargeCreated1764466200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN charge_created_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders DROP COLUMN charge_created_at`);
  }
}
