import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACCOUNTS_BEFORE = `'platform_cash_pending', 'platform_cash_available', 'connected_cash_pending', 'connected_cash_available',
          'seller_payable_pending', 'seller_payable_available', 'platform_fee_revenue', 'platform_fee_refunds',
          'refund_losses', 'stripe_processing_fees', 'dispute_funds_withdrawn', 'dispute_fees', 'dispute_recoveries'`;
const PER_SELLER_BEFORE = `'connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available'`;

/**
 * Refunds and lost disputes of multi-seller orders: one transfer_reversals row per refund (or dispute) and seller (a lowering of a
 * transfer not sent yet, or a reversal of one made, driven by a worker with the Stripe parameters
 * fixed on the row); seller_debts records a reversal Stripe refused (balance_insufficient) as the
 * seller's debt, and seller_debt_recoveries links it to the transfer that netted it. The ledger
 * gets the per-seller `seller_debts` account.
 */
export class TransferReversals1764446400000 implements MigrationInterface {
  name = 'TransferReversals1764446400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfer_reversals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL,
        status varchar(16) NOT NULL,
        refund_id uuid,
        dispute_id uuid,
        order_id uuid NOT NULL,
        seller_id uuid NOT NULL,
        transfer_id uuid NOT NULL,
        amount bigint NOT NULL,
        shortfall bigint NOT NULL DEFAULT 0,
        currency char(3) NOT NULL,
        stripe_params jsonb,
        idempotency_key varchar(255) NOT NULL,
        key_generation int NOT NULL DEFAULT 0,
        key_first_sent_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_error text,
        failure_code varchar(64),
        stripe_reversal_id varchar(255),
        stripe_transfer_id varchar(255),
        succeeded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT transfer_reversals_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES refunds (id),
        CONSTRAINT transfer_reversals_dispute_id_fkey FOREIGN KEY (dispute_id) REFERENCES disputes (id),
        CONSTRAINT transfer_reversals_origin_check CHECK (num_nonnulls(refund_id, dispute_id) = 1),
        CONSTRAINT transfer_reversals_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT transfer_reversals_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT transfer_reversals_transfer_id_fkey FOREIGN KEY (transfer_id) REFERENCES transfers (id),
        CONSTRAINT transfer_reversals_kind_check CHECK (kind IN ('lowering', 'reversal')),
        CONSTRAINT transfer_reversals_status_check CHECK (status IN ('planned', 'pending', 'submitting', 'succeeded', 'debt', 'failed', 'canceled')),
        CONSTRAINT transfer_reversals_amount_check CHECK (amount > 0 AND shortfall >= 0 AND shortfall <= amount),
        CONSTRAINT transfer_reversals_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX transfer_reversals_refund_seller_idx ON transfer_reversals (refund_id, seller_id) WHERE refund_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX transfer_reversals_dispute_seller_idx ON transfer_reversals (dispute_id, seller_id) WHERE dispute_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX transfer_reversals_stripe_reversal_idx ON transfer_reversals (stripe_reversal_id) WHERE stripe_reversal_id IS NOT NULL`);
    await q.query(`CREATE INDEX transfer_reversals_order_idx ON transfer_reversals (order_id, created_at)`);
    await q.query(`CREATE INDEX transfer_reversals_due_idx ON transfer_reversals (next_attempt_at) WHERE status IN ('pending', 'submitting')`);
    await q.query(`
      CREATE TABLE seller_debts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        amount bigint NOT NULL,
        recovered bigint NOT NULL DEFAULT 0,
        origin_type varchar(32) NOT NULL,
        origin_id uuid NOT NULL,
        order_id uuid,
        reason text NOT NULL,
        cleared_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT seller_debts_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT seller_debts_order_id_fkey FOREIGN KEY (order_id) REFERENCES orders (id),
        CONSTRAINT seller_debts_origin_type_check CHECK (origin_type IN ('transfer_reversal', 'transfer_lowering')),
        CONSTRAINT seller_debts_amounts_check CHECK (amount > 0 AND recovered >= 0 AND recovered <= amount),
        CONSTRAINT seller_debts_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE UNIQUE INDEX seller_debts_origin_idx ON seller_debts (origin_type, origin_id)`);
    await q.query(`CREATE INDEX seller_debts_open_idx ON seller_debts (seller_id, currency, created_at) WHERE recovered < amount`);
    await q.query(`
      CREATE TABLE seller_debt_recoveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        debt_id uuid NOT NULL,
        transfer_id uuid NOT NULL,
        amount bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT seller_debt_recoveries_debt_id_fkey FOREIGN KEY (debt_id) REFERENCES seller_debts (id),
        CONSTRAINT seller_debt_recoveries_transfer_id_fkey FOREIGN KEY (transfer_id) REFERENCES transfers (id),
        CONSTRAINT seller_debt_recoveries_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE UNIQUE INDEX seller_debt_recoveries_debt_transfer_idx ON seller_debt_recoveries (debt_id, transfer_id)`);
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check, DROP CONSTRAINT ledger_lines_seller_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE}, 'seller_debts')),
        ADD CONSTRAINT ledger_lines_seller_check CHECK ((account IN (${PER_SELLER_BEFORE}, 'seller_debts')) = (seller_id IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check, DROP CONSTRAINT ledger_lines_seller_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE})),
        ADD CONSTRAINT ledger_lines_seller_check CHECK ((account IN (${PER_SELLER_BEFORE})) = (seller_id IS NOT NULL))`);
    await q.query(`DROP TABLE seller_debt_recoveries`);
    await q.query(`DROP TABLE seller_debts`);
    await q.query(`DROP TABLE transfer_reversals`);
  }
}
