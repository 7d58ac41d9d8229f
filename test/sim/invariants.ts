// The end of every seed: let everything finish (faults off, webhooks released, holds released, the
// clock past availability and payout arrival, the workers drained), then check what must hold
// whatever the scenario and its faults were.
import { bearer } from '../factories/principal.factory.js';
import { balanceCheck, describeMismatches } from '../support/checkout.js';
import { waitFor } from '../support/process.js';
import { described, discrepanciesOf, type RunJson } from '../support/reconciliation.js';
import { sqlClient, type SqlClient } from '../support/sql.js';
import type { TestApp } from '../support/test-app.js';
import { drainTransferWorkers } from '../support/transfers.js';

// rows still on their way: after settling, none may be left in these states
const UNFINISHED = {
  transfers: `SELECT id, status FROM transfers WHERE status IN ('pending', 'submitting')`,
  transfer_reversals: `SELECT id, status FROM transfer_reversals WHERE status IN ('pending', 'submitting')`,
  refunds: `SELECT id, status || coalesce(' return ' || failure_return_status, '') || coalesce(' reversal ' || return_reversal_status, '') AS status FROM refunds WHERE status = 'pending' OR failure_return_status IN ('pending', 'submitting') OR return_reversal_status IN ('pending', 'submitting')`,
  payout_requests: `SELECT id, status FROM payout_requests WHERE status IN ('approved', 'executing')`,
  payout_attempts: `SELECT id, status FROM payout_attempts WHERE status IN ('pending', 'submitting', 'created')`,
  orders: `SELECT id, status FROM orders WHERE status = 'created'`,
  webhook_events: `SELECT id, status FROM webhook_events WHERE status IN ('pending', 'processing', 'dead')`,
} as const;

async function unfinished(sql: SqlClient): Promise<string[]> {
  const out: string[] = [];
  for (const [table, query] of Object.entries(UNFINISHED)) for (const row of await sql.query<{ id: string; status: string }>(query)) out.push(`${table} ${row.id} still ${row.status}`);
  return out;
}

export async function settle(t: TestApp, orders: Array<{ id: string; held: boolean }>, failures: string[]): Promise<void> {
  const control = t.sandbox.control;
  control.clearFaults();
  control.holdRefunds(0);
  control.setWebhookFaults({ duplicate: 1, shuffle: false, outage: false });
  control.releaseWebhooks();
  await control.webhooksIdle();
  for (const order of orders.filter((o) => o.held)) {
    const res = await t.http.post(`/orders/${order.id}/release`).set(bearer(t.adminKey)).send();
    if (res.status >= 500) failures.push(`releasing held order ${order.id} answered ${res.status}`);
  }
  // refunds a lost response left held at Stripe: they go through now
  for (const r of Object.values(control.state().refunds as Array<{ object: { id: string; status: string } }>)) if (r.object.status === 'pending') control.succeedRefund(r.object.id);
  const sql = sqlClient(t.databaseUrl);
  try {
    for (let round = 0; round < 8; round++) {
      control.advance(3 * 86_400);
      await control.webhooksIdle();
      await drainTransferWorkers(t);
      const done = await waitFor(async () => ((await unfinished(sql)).length === 0 ? true : undefined), 2_000, 'nothing unfinished').catch(() => false);
      if (done) break;
    }
    failures.push(...(await unfinished(sql)).map((l) => `not terminal after settling: ${l}`));
  } finally {
    await sql.end();
  }
}

/** Objects at Stripe made by our code (they carry our metadata) that share their metadata: one idempotent operation made twice. */
export function duplicatesAtStripe(state: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const table of ['accounts', 'sessions', 'refunds', 'transfers', 'reversals', 'payouts'] as const) {
    const groups = new Map<string, string[]>();
    for (const { object } of (state[table] ?? []) as Array<{ object: { id: string; metadata?: Record<string, string> | null } }>) {
      const metadata = object.metadata ?? {};
      if (Object.keys(metadata).length === 0) continue;
      const key = JSON.stringify(Object.entries(metadata).sort(([a], [b]) => a.localeCompare(b)));
      groups.set(key, [...(groups.get(key) ?? []), object.id]);
    }
    for (const [key, ids] of groups) if (ids.length > 1) out.push(`${table}: ${ids.length} objects with metadata ${key}: ${ids.join(', ')}`);
  }
  return out;
}

export async function checkInvariants(t: TestApp, run: RunJson, failures: string[]): Promise<void> {
  failures.push(...duplicatesAtStripe(t.sandbox.control.state()).map((d) => `two Stripe objects for one operation: ${d}`));
  const sql = sqlClient(t.databaseUrl);
  try {
    for (const r of await sql.query<{ entry_id: string; currency: string; sum: string }>(
      `SELECT entry_id, currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY entry_id, currency HAVING sum(amount) <> 0`,
    ))
      failures.push(`ledger entry ${r.entry_id} does not balance in ${r.currency}: ${r.sum}`);
    for (const r of await sql.query<{ currency: string; sum: string }>(`SELECT currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY currency HAVING sum(amount) <> 0`))
      failures.push(`trial balance in ${r.currency} is ${r.sum}, not zero`);
    // what a seller is owed (payable, less their debts) is what Stripe holds for them: nothing owed went missing
    for (const r of await sql.query<{ seller_id: string; currency: string; sum: string }>(
      `SELECT seller_id, currency, sum(amount)::text AS sum FROM ledger_lines
        WHERE seller_id IS NOT NULL AND account IN ('connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available', 'seller_debts')
        GROUP BY seller_id, currency HAVING sum(amount) <> 0`,
    ))
      failures.push(`seller ${r.seller_id} ${r.currency}: payable and Stripe's cash for them differ by ${r.sum}`);
  } finally {
    await sql.end();
  }
  const check = await balanceCheck(t);
  if (!check.matches) failures.push(...describeMismatches(check.balances).map((m) => `balance check: ${m}`));
  if (run.status !== 'completed') failures.push(`reconciliation run ${run.id} ended ${run.status}`);
  else failures.push(...described(await discrepanciesOf(t, run.id)).map((d) => `reconciliation: ${d}`));
}
