import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACCOUNTS_BEFORE = `'platform_cash_pending', 'platform_cash_available', 'connected_cash_pending', 'connected_cash_available',
          'seller_payable_pending', 'seller_payable_available', 'platform_fee_revenue', 'platform_fee_refunds',
          'refund_losses', 'stripe_processing_fees', 'dispute_funds_withdrawn', 'dispute_fees', 'dispute_recoveries', 'seller_debts',
          'transfers_to_other_accounts'`;

/**
 * The ledger account `platform_payouts`: the platform's own payouts to its bank leave its Stripe
 * balance too, and are booked from their balance transactions so the platform's cash still equals
 * Stripe's and reconciliation finds each payout's transaction in the ledger.
 */
export class PlatformPayouts1764518400000 implements MigrationInterface {
  name = 'PlatformPayouts1764518400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE}, 'platform_payouts'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE}))`);
  }
}
