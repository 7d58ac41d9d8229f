import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A failed refund of a multi-seller order gives each seller back what it took from them: by a
 * transfer of its own (kind `refund_return`, one per refund and seller, no source_transaction), and
 * a debt that refund left is canceled (`canceled`: the unrecovered part, never absorbed silently).
 */
export class MultiSellerRefundFailures1764457200000 implements MigrationInterface {
  name = 'MultiSellerRefundFailures1764457200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE transfers DROP CONSTRAINT transfers_kind_check,
        ADD CONSTRAINT transfers_kind_check CHECK (kind IN ('order', 'external', 'refund_return')),
        ADD COLUMN refund_id uuid,
        ADD CONSTRAINT transfers_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES refunds (id),
        ADD CONSTRAINT transfers_refund_return_check CHECK (kind <> 'refund_return' OR (refund_id IS NOT NULL AND order_id IS NOT NULL AND seller_id IS NOT NULL AND stripe_params IS NOT NULL))`);
    await q.query(`CREATE UNIQUE INDEX transfers_refund_seller_idx ON transfers (refund_id, seller_id) WHERE kind = 'refund_return'`);
    await q.query(`
      ALTER TABLE seller_debts ADD COLUMN canceled bigint NOT NULL DEFAULT 0,
        DROP CONSTRAINT seller_debts_amounts_check,
        ADD CONSTRAINT seller_debts_amounts_check CHECK (amount > 0 AND recovered >= 0 AND canceled >= 0 AND recovered + canceled <= amount)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE seller_debts DROP CONSTRAINT seller_debts_amounts_check, DROP COLUMN canceled,
        ADD CONSTRAINT seller_debts_amounts_check CHECK (amount > 0 AND recovered >= 0 AND recovered <= amount)`);
    await q.query(`DROP INDEX transfers_refund_seller_idx`);
    await q.query(`
      ALTER TABLE transfers DROP CONSTRAINT transfers_refund_return_check, DROP CONSTRAINT transfers_refund_id_fkey, DROP COLUMN refund_id,
        DROP CONSTRAINT transfers_kind_check, ADD CONSTRAINT transfers_kind_check CHECK (kind IN ('order', 'external'))`);
  }
}
