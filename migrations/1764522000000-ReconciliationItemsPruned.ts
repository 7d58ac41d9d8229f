import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's items (every Stripe balance transaction it compared) are deleted
 * RECONCILIATION_ITEMS_RETENTION_DAYS after it finished; the run says when. Its totals, findings
 * and discrepancies stay. (The items' primary key starts with run_id: deleting a run's items uses it.)
 */
export class ReconciliationItemsPruned1764522000000 implements MigrationInterface {
  name = 'ReconciliationItemsPruned1764522000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reconciliation_runs ADD COLUMN items_pruned_at timestamptz`);
    await q.query(`CREATE INDEX reconciliation_runs_to_prune_idx ON reconciliation_runs (finished_at) WHERE items_pruned_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX reconciliation_runs_to_prune_idx`);
    await q.query(`ALTER TABLE reconciliation_runs DROP COLUMN items_pruned_at`);
  }
}
