import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled runs read only the connected accounts with activity since the previous run (an event
 * received, a ledger line posted, a live discrepancy) or whose sweep is due; each account's window
 * starts where the last run that read it ended (`reconciliation_balances`), so an account left out
 * of some runs is never left out of a window. Indexes for the activity queries.
 */
export class ReconciliationActiveBalances1764525600000 implements MigrationInterface {
  name = 'ReconciliationActiveBalances1764525600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_balances (
        balance text PRIMARY KEY,
        reconciled_to timestamptz NOT NULL,
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE reconciliation_runs ADD COLUMN balance_from jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`CREATE INDEX webhook_events_received_idx ON webhook_events (received_at)`);
    await q.query(`CREATE INDEX ledger_entries_created_idx ON ledger_entries (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ledger_entries_created_idx`);
    await q.query(`DROP INDEX webhook_events_received_idx`);
    await q.query(`ALTER TABLE reconciliation_runs DROP COLUMN balance_from`);
    await q.query(`DROP TABLE reconciliation_balances`);
  }
}
