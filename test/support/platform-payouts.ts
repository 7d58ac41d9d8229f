import { DataSource } from 'typeorm';
import type { TestApp } from './test-app.js';

/** The ledger entries of one payout, each with what it moved in the platform's cash and in platform_payouts. */
export function payoutEntriesOf(t: TestApp, po: string): Promise<Array<{ kind: string; cash: string; payouts: string }>> {
  return t.app.get(DataSource).query(
    `SELECT e.kind,
            sum(l.amount) FILTER (WHERE l.account LIKE 'platform_cash_%')::text AS cash,
            sum(l.amount) FILTER (WHERE l.account = 'platform_payouts')::text AS payouts
       FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id
      WHERE e.reference_type = 'payout' AND e.reference_id = $1 GROUP BY e.id, e.kind ORDER BY e.kind`,
    [po],
  );
}
