import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfer rows: one per seller of a paid multi-seller order (unique per order and seller), each
 * driven pending -> submitting -> succeeded | failed (or canceled) by the transfers worker with the
 * exact Stripe parameters fixed on the row; `external` rows record transfers made elsewhere (the
 * Dashboard). Money is bigint minor units with a char(3) currency.
 */
export class Transfers1764432000000 implements MigrationInterface {
  name = 'Transfers1764432000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL,
        status varchar(16) NOT NULL,
        order_id uuid,
        seller_id uuid,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        share bigint NOT NULL,
        stripe_fee_share bigint NOT NULL DEFAULT 0,
        destination varchar(255) NOT NULL,
        transfer_group varchar(255),
        source_transaction varchar(255),
        stripe_params jsonb,
        idempotency_key varchar(255),
        key_generation int NOT NULL DEFAULT 0,
        key_first_sent_at timestamptz,
        submit_attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        waiting_reason text,
        last_error text,
        failure_code varchar(64),
        failure_message text,
        stripe_transfer_id varchar(255),
        stripe_balance_transaction_id varchar(255),
        destination_payment_id varchar(255),
        available_on timestamptz,
        hold_until timestamptz,
        released_at timestamptz,
        canceled_by uuid,
        succeeded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transfers_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT transfers_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT transfers_status_check CHECK (status IN ('pending', 'submitting', 'succeeded', 'failed', 'canceled')),
        CONSTRAINT transfers_kind_check CHECK (kind IN ('order', 'external')),
        CONSTRAINT transfers_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT transfers_amounts_check CHECK (amount >= 0 AND stripe_fee_share >= 0 AND amount + stripe_fee_share <= share),
        CONSTRAINT transfers_order_row_check CHECK (kind <> 'order' OR (order_id IS NOT NULL AND seller_id IS NOT NULL AND stripe_params IS NOT NULL AND idempotency_key IS NOT NULL)),
        CONSTRAINT transfers_succeeded_check CHECK (status <> 'succeeded' OR stripe_transfer_id IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX transfers_order_seller_idx ON transfers (order_id, seller_id) WHERE kind = 'order'`);
    await q.query(`CREATE UNIQUE INDEX transfers_stripe_transfer_idx ON transfers (stripe_transfer_id) WHERE stripe_transfer_id IS NOT NULL`);
    await q.query(`CREATE INDEX transfers_seller_idx ON transfers (seller_id, created_at)`);
    await q.query(`CREATE INDEX transfers_due_idx ON transfers (next_attempt_at) WHERE status IN ('pending', 'submitting')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfers`);
  }
}
