import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Money moves that wait for funds instead of failing for good:
 *  - a failed refund's return (refunds.failure_return_*) counts its attempts and keeps Stripe's
 *    error code and message (balance_insufficient is retried; a final refusal stays visible);
 *  - a refund whose transfer reversal could not pull the seller's share back (the charge's
 *    transfer was already reversed by a dispute recovery or a failed refund) reverses the order's
 *    return transfer instead (refunds.return_reversal_*, key `refund-return-reversal:<refundId>`);
 *  - a dispute recovery keeps the application fee Stripe refunded with its reversal
 *    (DISPUTE_RECOVERY=seller_share), so a won dispute returns what the seller lost.
 */
export class RefundReturnRetries1764381600000 implements MigrationInterface {
  name = 'RefundReturnRetries1764381600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE refunds
        ADD COLUMN failure_return_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN failure_return_error_code varchar(64),
        ADD COLUMN failure_return_error text,
        ADD COLUMN return_reversal_status varchar(16),
        ADD COLUMN return_reversal_amount bigint,
        ADD COLUMN return_reversal_id varchar(255),
        ADD COLUMN return_reversal_transfer_id varchar(255),
        ADD COLUMN return_reversal_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN return_reversal_next_attempt_at timestamptz,
        ADD COLUMN return_reversal_error_code varchar(64),
        ADD COLUMN return_reversal_error text,
        ADD CONSTRAINT refunds_return_reversal_status_check CHECK (return_reversal_status IS NULL OR return_reversal_status IN ('pending', 'reversed', 'none', 'failed'))`);
    await q.query(`CREATE INDEX refunds_return_reversal_due_idx ON refunds (return_reversal_next_attempt_at) WHERE return_reversal_status = 'pending'`);
    await q.query(`ALTER TABLE disputes ADD COLUMN recovery_fee_refund bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disputes DROP COLUMN recovery_fee_refund`);
    await q.query(`DROP INDEX refunds_return_reversal_due_idx`);
    await q.query(`
      ALTER TABLE refunds
        DROP CONSTRAINT refunds_return_reversal_status_check,
        DROP COLUMN return_reversal_error,
        DROP COLUMN return_reversal_error_code,
        DROP COLUMN return_reversal_next_attempt_at,
        DROP COLUMN return_reversal_attempts,
        DROP COLUMN return_reversal_transfer_id,
        DROP COLUMN return_reversal_id,
        DROP COLUMN return_reversal_amount,
        DROP COLUMN return_reversal_status,
        DROP COLUMN failure_return_error,
        DROP COLUMN failure_return_error_code,
        DROP COLUMN failure_return_attempts`);
  }
}
