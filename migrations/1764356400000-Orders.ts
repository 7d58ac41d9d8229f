import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1764356400000 implements MigrationInterface {
  name = 'Orders1764356400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        buyer_id uuid NOT NULL,
        status varchar(24) NOT NULL,
        charge_type varchar(24) NOT NULL,
        currency char(3) NOT NULL,
        amount_total bigint NOT NULL,
        application_fee_total bigint NOT NULL,
        amount_refunded bigint NOT NULL DEFAULT 0,
        stripe_idempotency_key varchar(255) NOT NULL,
        success_url text NOT NULL,
        cancel_url text NOT NULL,
        checkout_session_id varchar(255),
        checkout_url text,
        payment_intent_id varchar(255),
        charge_id varchar(255),
        transfer_id varchar(255),
        stripe_fee bigint,
        failure_code varchar(64),
        failure_message text,
        paid_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES principals (id),
        CONSTRAINT orders_status_check CHECK (status IN ('created', 'awaiting_payment', 'paid', 'partially_refunded', 'refunded', 'disputed', 'failed', 'expired')),
        CONSTRAINT orders_charge_type_check CHECK (charge_type IN ('destination', 'separate_transfers')),
        CONSTRAINT orders_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT orders_amounts_check CHECK (amount_total BETWEEN 1 AND 99999999 AND application_fee_total BETWEEN 0 AND amount_total AND amount_refunded BETWEEN 0 AND amount_total)
      )`);
    await q.query(`CREATE INDEX orders_buyer_idx ON orders (buyer_id, created_at)`);
    await q.query(`CREATE UNIQUE INDEX orders_checkout_session_idx ON orders (checkout_session_id) WHERE checkout_session_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX orders_payment_intent_idx ON orders (payment_intent_id) WHERE payment_intent_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX orders_charge_idx ON orders (charge_id) WHERE charge_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE order_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL,
        listing_id uuid NOT NULL,
        seller_id uuid NOT NULL,
        title varchar(200) NOT NULL,
        quantity integer NOT NULL,
        unit_amount bigint NOT NULL,
        amount bigint NOT NULL,
        CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT order_lines_listing_id_fkey FOREIGN KEY (listing_id) REFERENCES listings (id),
        CONSTRAINT order_lines_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT order_lines_quantity_check CHECK (quantity >= 1),
        CONSTRAINT order_lines_amounts_check CHECK (unit_amount >= 1 AND amount = unit_amount * quantity)
      )`);
    await q.query(`CREATE INDEX order_lines_order_idx ON order_lines (order_id)`);
    await q.query(`CREATE INDEX order_lines_seller_idx ON order_lines (seller_id)`);

    await q.query(`
      CREATE TABLE order_sellers (
        order_id uuid NOT NULL,
        seller_id uuid NOT NULL,
        stripe_account_id varchar(255) NOT NULL,
        subtotal bigint NOT NULL,
        fee bigint NOT NULL,
        seller_share bigint NOT NULL,
        CONSTRAINT order_sellers_pkey PRIMARY KEY (order_id, seller_id),
        CONSTRAINT order_sellers_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT order_sellers_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT order_sellers_split_check CHECK (fee >= 0 AND seller_share >= 0 AND fee + seller_share = subtotal)
      )`);
    await q.query(`CREATE INDEX order_sellers_seller_idx ON order_sellers (seller_id)`);

    await q.query(`
      CREATE TABLE refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL,
        status varchar(16) NOT NULL,
        source varchar(8) NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        reason varchar(500),
        application_fee_refund bigint NOT NULL DEFAULT 0,
        transfer_reversal_amount bigint,
        stripe_refund_id varchar(255),
        transfer_reversal_id varchar(255),
        requested_by uuid,
        failure_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refunds_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT refunds_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES principals (id),
        CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT refunds_source_check CHECK (source IN ('api', 'stripe')),
        CONSTRAINT refunds_amount_check CHECK (amount >= 1)
      )`);
    await q.query(`CREATE INDEX refunds_order_idx ON refunds (order_id, created_at)`);
    await q.query(`CREATE UNIQUE INDEX refunds_stripe_refund_idx ON refunds (stripe_refund_id) WHERE stripe_refund_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX refunds_one_pending_per_order_idx ON refunds (order_id) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE disputes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL,
        seller_id uuid,
        stripe_dispute_id varchar(255) NOT NULL,
        charge_id varchar(255) NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        reason varchar(64) NOT NULL,
        status varchar(32) NOT NULL,
        evidence_due_by timestamptz,
        dispute_fee bigint NOT NULL DEFAULT 0,
        recovery_status varchar(16) NOT NULL DEFAULT 'none',
        recovered_amount bigint NOT NULL DEFAULT 0,
        recovery_reversal_id varchar(255),
        return_transfer_id varchar(255),
        recovery_error text,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT disputes_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT disputes_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT disputes_recovery_status_check CHECK (recovery_status IN ('none', 'pending', 'recovered', 'returning', 'returned', 'failed')),
        CONSTRAINT disputes_amount_check CHECK (amount >= 1)
      )`);
    await q.query(`CREATE UNIQUE INDEX disputes_stripe_dispute_idx ON disputes (stripe_dispute_id)`);
    await q.query(`CREATE INDEX disputes_order_idx ON disputes (order_id)`);
    await q.query(`CREATE INDEX disputes_open_seller_idx ON disputes (seller_id) WHERE closed_at IS NULL`);
    await q.query(`CREATE INDEX disputes_recovery_due_idx ON disputes (updated_at) WHERE recovery_status IN ('pending', 'returning')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE disputes`);
    await q.query(`DROP TABLE refunds`);
    await q.query(`DROP TABLE order_sellers`);
    await q.query(`DROP TABLE order_lines`);
    await q.query(`DROP TABLE orders`);
  }
}
