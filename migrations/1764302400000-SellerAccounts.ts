import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SellerAccounts1764302400000 implements MigrationInterface {
  name = 'SellerAccounts1764302400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seller_accounts (
        seller_id uuid PRIMARY KEY,
        stripe_account_id text,
        country varchar(2) NOT NULL,
        business_name text,
        link_token varchar(64) NOT NULL,
        links_issued integer NOT NULL DEFAULT 0,
        status varchar(16) NOT NULL,
        charges_enabled boolean NOT NULL DEFAULT false,
        payouts_enabled boolean NOT NULL DEFAULT false,
        details_submitted boolean NOT NULL DEFAULT false,
        card_payments_capability varchar(16),
        transfers_capability varchar(16),
        currently_due text[] NOT NULL,
        eventually_due text[] NOT NULL,
        past_due text[] NOT NULL,
        pending_verification text[] NOT NULL,
        current_deadline timestamptz,
        disabled_reason text,
        synced_from text,
        synced_at timestamptz,
        disconnected_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT seller_accounts_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id) ON DELETE RESTRICT,
        CONSTRAINT seller_accounts_status_check CHECK (status IN ('pending', 'restricted', 'active', 'rejected', 'disconnected'))
      )`);
    // webhooks look sellers up by their Stripe account; one account never belongs to two sellers
    await q.query(`CREATE UNIQUE INDEX seller_accounts_stripe_account_idx ON seller_accounts (stripe_account_id)`);
    // admins list sellers by status, nearest deadline first
    await q.query(`CREATE INDEX seller_accounts_status_idx ON seller_accounts (status, current_deadline)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE seller_accounts`);
  }
}
