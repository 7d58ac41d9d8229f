import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger mirrors Stripe's balances: every line booked from a Stripe movement keeps the Stripe
 * object that moved it, that object's balance transaction and its `available_on`, and which Stripe
 * balance it sits in (`stripe_account`: a connected account's id for connected_cash_* lines).
 * Availability is booked per balance transaction (`available:<txn>` entries), so one index finds
 * pending cash lines that are due. The database also refuses unknown account codes and a
 * per-seller account line without a seller, and lines added to an entry committed earlier.
 */
export class LedgerStripeBalances1764378000000 implements MigrationInterface {
  name = 'LedgerStripeBalances1764378000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines
        ADD COLUMN stripe_object_id varchar(255),
        ADD COLUMN stripe_balance_transaction_id varchar(255),
        ADD COLUMN stripe_account varchar(255),
        ADD COLUMN available_on timestamptz`);
    await q.query(`CREATE INDEX ledger_lines_balance_transaction_idx ON ledger_lines (stripe_balance_transaction_id) WHERE stripe_balance_transaction_id IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_lines_pending_cash_idx ON ledger_lines (available_on) WHERE account IN ('platform_cash_pending', 'connected_cash_pending')`);
    await q.query(`CREATE INDEX webhook_events_created_idx ON webhook_events (created)`);
    // account codes the chart knows; per-seller accounts need a seller, the others refuse one
    await q.query(`
      ALTER TABLE ledger_lines
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (
          'platform_cash_pending', 'platform_cash_available', 'connected_cash_pending', 'connected_cash_available',
          'seller_payable_pending', 'seller_payable_available', 'platform_fee_revenue', 'platform_fee_refunds',
          'refund_losses', 'stripe_processing_fees', 'dispute_funds_withdrawn', 'dispute_fees', 'dispute_recoveries')),
        ADD CONSTRAINT ledger_lines_seller_check CHECK (
          (account IN ('connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available')) = (seller_id IS NOT NULL))`);
    // lines belong to the transaction that created their entry: none can be added to an old entry
    await q.query(`
      CREATE FUNCTION ledger_lines_same_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- now() is the start of the current transaction (savepoints included): an entry created
        -- by another transaction has another created_at
        IF (SELECT created_at FROM ledger_entries WHERE id = NEW.entry_id) IS DISTINCT FROM now() THEN
          RAISE EXCEPTION 'ledger entry % was committed earlier: lines cannot be added to it; post a new entry', NEW.entry_id
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER ledger_lines_same_transaction BEFORE INSERT ON ledger_lines FOR EACH ROW EXECUTE FUNCTION ledger_lines_same_transaction()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER ledger_lines_same_transaction ON ledger_lines`);
    await q.query(`DROP FUNCTION ledger_lines_same_transaction()`);
    await q.query(`ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_seller_check, DROP CONSTRAINT ledger_lines_account_check`);
    await q.query(`DROP INDEX webhook_events_created_idx`);
    await q.query(`DROP INDEX ledger_lines_pending_cash_idx`);
    await q.query(`DROP INDEX ledger_lines_balance_transaction_idx`);
    await q.query(`
      ALTER TABLE ledger_lines
        DROP COLUMN available_on,
        DROP COLUMN stripe_account,
        DROP COLUMN stripe_balance_transaction_id,
        DROP COLUMN stripe_object_id`);
  }
}
