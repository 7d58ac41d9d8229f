import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Identity1764172800000 implements MigrationInterface {
  name = 'Identity1764172800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE principals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        role varchar(16) NOT NULL CHECK (role IN ('admin', 'seller', 'buyer')),
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX principals_role_idx ON principals (role, created_at)`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        principal_id uuid NOT NULL REFERENCES principals (id) ON DELETE CASCADE,
        key_hash char(64) NOT NULL UNIQUE,
        prefix varchar(16) NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_principal_idx ON api_keys (principal_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE principals`);
  }
}
