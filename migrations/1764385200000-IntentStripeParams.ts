import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every Stripe parameter of an intent is fixed when the intent is recorded, so a retry (the same
 * idempotency key) sends exactly the same request even if the configuration changed in between:
 * a Checkout Session's `on_behalf_of`, a refund's `refund_application_fee`, a dispute recovery's
 * amount and `refund_application_fee`. NULL on rows recorded before: read from the configuration.
 */
export class IntentStripeParams1764385200000 implements MigrationInterface {
  name = 'IntentStripeParams1764385200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE orders ADD COLUMN stripe_on_behalf_of boolean`);
    await q.query(`ALTER TABLE refunds ADD COLUMN stripe_refund_application_fee boolean`);
    await q.query(`ALTER TABLE disputes ADD COLUMN recovery_request_amount bigint, ADD COLUMN recovery_refund_application_fee boolean`);
    await q.query(`ALTER TABLE disputes ADD CONSTRAINT disputes_recovery_request_amount_check CHECK (recovery_request_amount IS NULL OR recovery_request_amount >= 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE disputes DROP CONSTRAINT disputes_recovery_request_amount_check`);
    await q.query(`ALTER TABLE disputes DROP COLUMN recovery_refund_application_fee, DROP COLUMN recovery_request_amount`);
    await q.query(`ALTER TABLE refunds DROP COLUMN stripe_refund_application_fee`);
    await q.query(`ALTER TABLE orders DROP COLUMN stripe_on_behalf_of`);
  }
}
