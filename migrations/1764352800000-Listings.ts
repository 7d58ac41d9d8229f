import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Listings1764352800000 implements MigrationInterface {
  name = 'Listings1764352800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE listings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seller_id uuid NOT NULL,
        title varchar(200) NOT NULL,
        unit_amount bigint NOT NULL,
        currency char(3) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active',
        created_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        CONSTRAINT listings_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT listings_unit_amount_check CHECK (unit_amount BETWEEN 1 AND 99999999),
        CONSTRAINT listings_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT listings_status_check CHECK (status IN ('active', 'inactive'))
      )`);
    await q.query(`CREATE INDEX listings_seller_status_idx ON listings (seller_id, status, created_at)`);
    await q.query(`CREATE INDEX listings_status_idx ON listings (status, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE listings`);
  }
}
