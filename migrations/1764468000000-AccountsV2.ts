import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts v2: each seller account remembers which Stripe API made it (and is read through that
 * one, whatever STRIPE_ACCOUNTS_API says later); rows made before this are v1's. Thin events from
 * an event destination land in the same inbox under their own endpoint, `events`.
 */
export class AccountsV21764468000000 implements MigrationInterface {
  name = 'AccountsV21764468000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE seller_accounts ADD COLUMN accounts_api varchar(2) NOT NULL DEFAULT 'v1',
        ADD CONSTRAINT seller_accounts_accounts_api_check CHECK (accounts_api IN ('v1', 'v2'))`);
    await q.query(`
      ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_endpoint_check,
        ADD CONSTRAINT webhook_events_endpoint_check CHECK (endpoint IN ('platform', 'connect', 'events'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM webhook_events WHERE endpoint = 'events'`);
    await q.query(`
      ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_endpoint_check,
        ADD CONSTRAINT webhook_events_endpoint_check CHECK (endpoint IN ('platform', 'connect'))`);
    await q.query(`ALTER TABLE seller_accounts DROP CONSTRAINT seller_accounts_accounts_api_check, DROP COLUMN accounts_api`);
  }
}
