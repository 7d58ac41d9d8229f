import type { MigrationInterface, QueryRunner } from 'typeorm';

const ACCOUNTS_BEFORE = `'platform_cash_pending', 'platform_cash_available', 'connected_cash_pending', 'connected_cash_available',
          'seller_payable_pending', 'seller_payable_available', 'platform_fee_revenue', 'platform_fee_refunds',
          'refund_losses', 'stripe_processing_fees', 'dispute_funds_withdrawn', 'dispute_fees', 'dispute_recoveries', 'seller_debts'`;

/**
 * The ledger account `transfers_to_other_accounts`: a transfer made from Stripe's Dashboard to a
 * connected account that is no seller of ours leaves the platform's balance too, and is booked
 * (against this suspense account) so the platform's cash still equals Stripe's.
 */
export class TransfersToOtherAccounts1764450000000 implements MigrationInterface {
  name = 'TransfersToOtherAccounts1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE}, 'transfers_to_other_accounts'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_account_check,
        ADD CONSTRAINT ledger_lines_account_check CHECK (account IN (${ACCOUNTS_BEFORE}))`);
  }
}
