import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled reconciliation (issue 14): runs with their window, cursor and counts; what each run
 * compared (one item per Stripe balance transaction, so a resumed run counts nothing twice); the
 * matched totals per balance and currency; discrepancies, which outlive the run that found them
 * (one open item per fingerprint) until a person resolves them or a later run finds them cleared;
 * and which runs saw each discrepancy. An admin's run is bound to the Idempotency-Key that made it.
 */
export class Reconciliation1764511200000 implements MigrationInterface {
  name = 'Reconciliation1764511200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reconciliation_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        trigger varchar(16) NOT NULL,
        slot timestamptz,
        requested_by uuid REFERENCES principals (id),
        principal_id uuid,
        idempotency_key varchar(255),
        window_from timestamptz NOT NULL,
        window_to timestamptz NOT NULL,
        status varchar(16) NOT NULL,
        balances text[] NOT NULL DEFAULT '{}',
        stripe_clock timestamptz,
        cursor jsonb NOT NULL DEFAULT '{}',
        counts jsonb NOT NULL DEFAULT '{}',
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reconciliation_runs_trigger_check CHECK (trigger IN ('schedule', 'admin')),
        CONSTRAINT reconciliation_runs_status_check CHECK (status IN ('queued', 'running', 'completed', 'failed')),
        CONSTRAINT reconciliation_runs_window_check CHECK (window_from < window_to),
        CONSTRAINT reconciliation_runs_slot_check CHECK ((trigger = 'schedule') = (slot IS NOT NULL)),
        CONSTRAINT reconciliation_runs_idempotency_key_check CHECK (idempotency_key IS NULL OR principal_id IS NOT NULL)
      )`);
    // POST /admin/reconciliation/runs binds its Idempotency-Key to the run it makes
    await q.query(`CREATE UNIQUE INDEX reconciliation_runs_idempotency_key_idx ON reconciliation_runs (principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX reconciliation_runs_slot_idx ON reconciliation_runs (slot) WHERE slot IS NOT NULL`);
    await q.query(`CREATE INDEX reconciliation_runs_due_idx ON reconciliation_runs (created_at) WHERE status IN ('queued', 'running')`);
    await q.query(`CREATE INDEX reconciliation_runs_window_idx ON reconciliation_runs (window_to DESC)`);

    await q.query(`
      CREATE TABLE reconciliation_items (
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        balance_transaction_id varchar(255) NOT NULL,
        balance varchar(255) NOT NULL,
        type varchar(64) NOT NULL,
        source varchar(255),
        currency char(3) NOT NULL,
        amount bigint NOT NULL,
        fee bigint NOT NULL,
        net bigint NOT NULL,
        created timestamptz NOT NULL,
        available_on timestamptz NOT NULL,
        ledger_net bigint,
        ledger_fee bigint,
        entry_ids uuid[] NOT NULL DEFAULT '{}',
        outcome varchar(16) NOT NULL,
        discrepancy_id uuid,
        PRIMARY KEY (run_id, balance_transaction_id),
        CONSTRAINT reconciliation_items_outcome_check CHECK (outcome IN ('matched', 'discrepancy', 'in_flight'))
      )`);
    await q.query(`CREATE INDEX reconciliation_items_txn_idx ON reconciliation_items (balance_transaction_id)`);
    // what earlier runs left in flight, looked at again first by every run
    await q.query(`CREATE INDEX reconciliation_items_in_flight_idx ON reconciliation_items (balance_transaction_id) WHERE outcome = 'in_flight'`);

    await q.query(`
      CREATE TABLE reconciliation_run_totals (
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        balance varchar(255) NOT NULL,
        currency char(3) NOT NULL,
        matched_count bigint NOT NULL DEFAULT 0,
        matched_net bigint NOT NULL DEFAULT 0,
        stripe_count bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, balance, currency)
      )`);

    await q.query(`
      CREATE TABLE reconciliation_discrepancies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        found_in_run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        last_seen_run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        kind varchar(32) NOT NULL,
        severity varchar(8) NOT NULL,
        status varchar(16) NOT NULL,
        fingerprint varchar(512) NOT NULL,
        balance varchar(255) NOT NULL,
        seller_id uuid REFERENCES principals (id),
        currency char(3),
        stripe_object_id varchar(255),
        stripe_balance_transaction_id varchar(255),
        stripe_amount bigint,
        ledger_amount bigint,
        ours jsonb NOT NULL DEFAULT '{}',
        details jsonb NOT NULL DEFAULT '{}',
        summary text NOT NULL,
        heals jsonb NOT NULL DEFAULT '[]',
        resolved_by uuid REFERENCES principals (id),
        resolution_note text,
        resolved_at timestamptz,
        cleared_in_run_id uuid REFERENCES reconciliation_runs (id),
        cleared_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reconciliation_discrepancies_kind_check CHECK (kind IN ('missing_in_ledger', 'missing_in_stripe', 'amount_mismatch', 'currency_mismatch', 'status_mismatch', 'unexpected_fee', 'payout_contents_mismatch', 'balance_mismatch', 'unreadable_balance')),
        CONSTRAINT reconciliation_discrepancies_severity_check CHECK (severity IN ('low', 'medium', 'high')),
        CONSTRAINT reconciliation_discrepancies_status_check CHECK (status IN ('open', 'healed', 'resolved', 'cleared')),
        CONSTRAINT reconciliation_discrepancies_resolved_check CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND resolution_note IS NOT NULL)),
        CONSTRAINT reconciliation_discrepancies_cleared_check CHECK ((status = 'cleared') = (cleared_in_run_id IS NOT NULL))
      )`);
    // one live item per difference: a later run seeing it again updates that item, never a second one
    await q.query(`CREATE UNIQUE INDEX reconciliation_discrepancies_live_idx ON reconciliation_discrepancies (fingerprint) WHERE status IN ('open', 'healed')`);
    await q.query(`CREATE INDEX reconciliation_discrepancies_status_idx ON reconciliation_discrepancies (status, created_at)`);

    await q.query(`
      CREATE TABLE reconciliation_findings (
        run_id uuid NOT NULL REFERENCES reconciliation_runs (id),
        discrepancy_id uuid NOT NULL REFERENCES reconciliation_discrepancies (id),
        PRIMARY KEY (run_id, discrepancy_id)
      )`);
    await q.query(`CREATE INDEX reconciliation_findings_discrepancy_idx ON reconciliation_findings (discrepancy_id)`);
    // what reconciliation looks the books up by: a Stripe object booked without its balance transaction, a payout's allocation
    await q.query(`CREATE INDEX ledger_lines_stripe_object_idx ON ledger_lines (stripe_object_id) WHERE stripe_object_id IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_payout_allocations_stripe_payout_idx ON ledger_payout_allocations (stripe_payout_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ledger_payout_allocations_stripe_payout_idx`);
    await q.query(`DROP INDEX ledger_lines_stripe_object_idx`);
    await q.query(`DROP TABLE reconciliation_findings`);
    await q.query(`DROP TABLE reconciliation_discrepancies`);
    await q.query(`DROP TABLE reconciliation_run_totals`);
    await q.query(`DROP TABLE reconciliation_items`);
    await q.query(`DROP TABLE reconciliation_runs`);
  }
}
