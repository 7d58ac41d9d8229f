import type { MigrationInterface, QueryRunner } from 'typeorm';

export class LedgerJournal1764345600000 implements MigrationInterface {
  name = 'LedgerJournal1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(64) NOT NULL,
        reference_type varchar(64) NOT NULL,
        reference_id varchar(255) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        description text,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        reverses_entry_id uuid,
        CONSTRAINT ledger_entries_reverses_entry_id_fkey FOREIGN KEY (reverses_entry_id) REFERENCES ledger_entries (id)
      )`);
    await q.query(`CREATE UNIQUE INDEX ledger_entries_idempotency_key_idx ON ledger_entries (idempotency_key)`);
    await q.query(`CREATE INDEX ledger_entries_reference_idx ON ledger_entries (reference_type, reference_id)`);
    // an entry is reversed at most once
    await q.query(`CREATE UNIQUE INDEX ledger_entries_reverses_entry_idx ON ledger_entries (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE ledger_lines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_id uuid NOT NULL,
        account varchar(64) NOT NULL,
        seller_id uuid,
        currency char(3) NOT NULL,
        amount bigint NOT NULL,
        CONSTRAINT ledger_lines_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_lines_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT ledger_lines_amount_check CHECK (amount <> 0),
        CONSTRAINT ledger_lines_currency_check CHECK (currency ~ '^[A-Z]{3}$')
      )`);
    await q.query(`CREATE INDEX ledger_lines_entry_idx ON ledger_lines (entry_id)`);
    await q.query(`CREATE INDEX ledger_lines_account_idx ON ledger_lines (account, currency, seller_id)`);

    // Double entry, checked at COMMIT (deferred) so an entry's lines can be inserted one by one:
    // at least two lines, summing to zero per currency.
    await q.query(`
      CREATE FUNCTION ledger_assert_entry_balanced(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        line_count integer;
        unbalanced text;
      BEGIN
        SELECT count(*) INTO line_count FROM ledger_lines WHERE entry_id = target;
        IF line_count < 2 THEN
          RAISE EXCEPTION 'ledger entry % has % line(s); an entry needs at least two', target, line_count
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entry_min_lines';
        END IF;
        SELECT string_agg(currency || ' ' || total, ', ' ORDER BY currency) INTO unbalanced
          FROM (SELECT currency, sum(amount) AS total FROM ledger_lines WHERE entry_id = target GROUP BY currency HAVING sum(amount) <> 0) t;
        IF unbalanced IS NOT NULL THEN
          RAISE EXCEPTION 'ledger entry % does not balance: lines sum to % (must be zero per currency)', target, unbalanced
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_entry_balanced';
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION ledger_lines_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ledger_assert_entry_balanced(NEW.entry_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION ledger_entries_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ledger_assert_entry_balanced(NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_lines_check_balanced()`);
    // catches an entry inserted with no lines at all
    await q.query(`
      CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_balanced()`);

    // Append-only: corrections are reversing entries.
    await q.query(`
      CREATE FUNCTION ledger_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed; post a reversing entry instead', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'restrict_violation';
      END $$`);
    for (const table of ['ledger_lines', 'ledger_entries']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_lines`);
    await q.query(`DROP TABLE ledger_entries`);
    await q.query(`DROP FUNCTION ledger_reject_change()`);
    await q.query(`DROP FUNCTION ledger_entries_check_balanced()`);
    await q.query(`DROP FUNCTION ledger_lines_check_balanced()`);
    await q.query(`DROP FUNCTION ledger_assert_entry_balanced(uuid)`);
  }
}
