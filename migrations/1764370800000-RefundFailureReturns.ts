import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refund Stripe fails after it succeeded leaves the seller's share (the transfer reversal minus
 * the application fee refunded with it) in the platform balance: the payments worker transfers it
 * back to the seller (pending -> returned | failed), claimed with a lease and retried with a delay.
 */
export class RefundFailureReturns1764370800000 implements MigrationInterface {
  name = 'RefundFailureReturns1764370800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE refunds
        ADD COLUMN failure_return_status varchar(16),
        ADD COLUMN failure_return_amount bigint,
        ADD COLUMN failure_return_transfer_id varchar(255),
        ADD COLUMN failure_return_next_attempt_at timestamptz,
        ADD CONSTRAINT refunds_failure_return_status_check CHECK (failure_return_status IS NULL OR failure_return_status IN ('pending', 'returned', 'failed'))`);
    await q.query(`CREATE INDEX refunds_failure_return_due_idx ON refunds (failure_return_next_attempt_at) WHERE failure_return_status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX refunds_failure_return_due_idx`);
    await q.query(`
      ALTER TABLE refunds
        DROP CONSTRAINT refunds_failure_return_status_check,
        DROP COLUMN failure_return_next_attempt_at,
        DROP COLUMN failure_return_transfer_id,
        DROP COLUMN failure_return_amount,
        DROP COLUMN failure_return_status`);
  }
}
