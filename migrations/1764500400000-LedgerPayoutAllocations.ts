import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each payout paid out: Stripe cannot say what a manual payout contained, so the ledger does.
 * `ledger_payout_allocations` links a payout's ledger entry to the seller's available-cash lines
 * (connected_cash_available) it took: every debit not yet paid out (a refund, a reversal), then
 * the credits oldest first, a line in part where the payout ended inside it; a part with no line is what the ledger could not cover (reconciliation reports it). Written
 * in the transaction that posts the payout's entry, summing to the payout's amount. A returned
 * payout (failed, canceled) releases its parts with negated rows under the return's entry, so the
 * lines can be paid out again. Append-only, as the ledger: UPDATE, DELETE and TRUNCATE are refused.
 */
export class LedgerPayoutAllocations1764500400000 implements MigrationInterface {
  name = 'LedgerPayoutAllocations1764500400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_payout_allocations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_id uuid NOT NULL,
        payout_entry_id uuid NOT NULL,
        stripe_payout_id varchar(255) NOT NULL,
        seller_id uuid NOT NULL,
        currency char(3) NOT NULL,
        line_id uuid,
        amount bigint NOT NULL,
        kind varchar(16) NOT NULL,
        position int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_payout_allocations_entry_id_fkey FOREIGN KEY (entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_payout_allocations_payout_entry_id_fkey FOREIGN KEY (payout_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_payout_allocations_line_id_fkey FOREIGN KEY (line_id) REFERENCES ledger_lines (id),
        CONSTRAINT ledger_payout_allocations_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT ledger_payout_allocations_amount_check CHECK (amount <> 0),
        CONSTRAINT ledger_payout_allocations_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT ledger_payout_allocations_kind_check CHECK (kind IN ('allocated', 'released')),
        CONSTRAINT ledger_payout_allocations_release_check CHECK ((kind = 'allocated') = (entry_id = payout_entry_id))
      )`);
    // one writer per entry: a replayed event finds its rows and writes nothing
    await q.query(`CREATE UNIQUE INDEX ledger_payout_allocations_entry_position_idx ON ledger_payout_allocations (entry_id, position)`);
    await q.query(`CREATE INDEX ledger_payout_allocations_line_idx ON ledger_payout_allocations (line_id) WHERE line_id IS NOT NULL`);
    await q.query(`CREATE INDEX ledger_payout_allocations_payout_idx ON ledger_payout_allocations (payout_entry_id)`);
    await q.query(`CREATE INDEX ledger_payout_allocations_seller_idx ON ledger_payout_allocations (seller_id, currency)`);
    await q.query(`CREATE TRIGGER ledger_payout_allocations_append_only BEFORE UPDATE OR DELETE ON ledger_payout_allocations FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()`);
    await q.query(`CREATE TRIGGER ledger_payout_allocations_no_truncate BEFORE TRUNCATE ON ledger_payout_allocations FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ledger_payout_allocations`);
  }
}
