import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FeePolicies1764349200000 implements MigrationInterface {
  name = 'FeePolicies1764349200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seller_fee_policies (
        seller_id uuid PRIMARY KEY,
        basis_points integer NOT NULL,
        fixed_amounts jsonb NOT NULL DEFAULT '{}',
        updated_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT seller_fee_policies_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id) ON DELETE CASCADE,
        CONSTRAINT seller_fee_policies_basis_points_check CHECK (basis_points BETWEEN 0 AND 10000)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE seller_fee_policies`);
  }
}
