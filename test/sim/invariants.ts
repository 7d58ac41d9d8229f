// The end of every seed: let everything finish (faults off, webhooks released, holds released, the
// clock past availability and payout arrival, the workers drained), then check what must hold
// whatever the scenario and its faults were.
import { DisputeRecoveryService } from '../../apps/marketplace/src/payments/disputes/dispute-recovery.service.js';
import { RefundRecoveryService } from '../../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { bearer } from '../factories/principal.factory.js';
import { balanceCheck, describeMismatches } from '../support/checkout.js';
import { waitFor } from '../support/process.js';
import { described, discrepanciesOf, type RunJson } from '../support/reconciliation.js';
import { sqlClient, type SqlClient } from '../support/sql.js';
import type { TestApp } from '../support/test-app.js';
import { drainTransferWorkers } from '../support/transfers.js';

// rows still on their way: after settling, none may be left in these states
const UNFINISHED = {
  transfers: `SELECT id, status || coalesce(' waiting: ' || waiting_reason, '') || coalesce(' held until ' || hold_until::text, '') || coalesce(' last error: ' || last_error, '') AS status
                FROM transfers WHERE status IN ('pending', 'submitting')`,
  transfer_reversals: `SELECT id, status FROM transfer_reversals WHERE status IN ('pending', 'submitting')`,
  refunds: `SELECT id, status || coalesce(' return ' || failure_return_status, '') || coalesce(' reversal ' || return_reversal_status, '') || coalesce(' error: ' || coalesce(failure_return_error, return_reversal_error), '') AS status FROM refunds WHERE status = 'pending' OR failure_return_status IN ('pending', 'submitting') OR return_reversal_status IN ('pending', 'submitting')`,
  payout_requests: `SELECT id, status FROM payout_requests WHERE status IN ('approved', 'executing')`,
  payout_attempts: `SELECT id, status FROM payout_attempts WHERE status IN ('pending', 'submitting', 'created')`,
  orders: `SELECT id, status FROM orders WHERE status = 'created'`,
  // a dispute's recovery reversal (or its won return) still to be made or settled: its money may have moved at Stripe already
  disputes: `SELECT id, 'recovery ' || recovery_status || coalesce(' error: ' || recovery_error, '') AS status FROM disputes WHERE recovery_status IN ('pending', 'returning')`,
  webhook_events: `SELECT id, status || ' (' || type || ')' || coalesce(': ' || last_error, '') AS status FROM webhook_events WHERE status IN ('pending', 'processing', 'dead')`,
} as const;

/**
 * Days pass: for Stripe (the sandbox's clock) and for the intents still to be settled (refunds and
 * their returns, dispute recoveries, transfers, reversals, payout attempts), whose age tells the app
 * whether Stripe may have forgotten their key. Moving the
 * sandbox alone would leave a key fresh for the app and forgotten by Stripe, which real time never does.
 */
export async function passTime(t: TestApp, seconds: number): Promise<void> {
  const sql = sqlClient(t.databaseUrl);
  try {
    // a refund, or its failed share's return transfer, or its return reversal, still to be made: their keys' age is the refund's
    await sql.query(
      `UPDATE refunds SET created_at = created_at - make_interval(secs => $1), updated_at = updated_at - make_interval(secs => $1)
        WHERE (status = 'pending' AND source = 'api') OR failure_return_status IN ('pending', 'submitting') OR return_reversal_status IN ('pending', 'submitting')`,
      [seconds],
    );
    // transfers, reversals and payout attempts sent before and not settled: their keys' first sending
    for (const [table, unsettled] of [
      ['transfers', `status IN ('pending', 'submitting')`],
      ['transfer_reversals', `status IN ('pending', 'submitting')`],
      ['payout_attempts', `status IN ('pending', 'submitting', 'created')`],
    ] as const)
      await sql.query(`UPDATE ${table} SET key_first_sent_at = key_first_sent_at - make_interval(secs => $1) WHERE key_first_sent_at IS NOT NULL AND ${unsettled}`, [seconds]);
    // a dispute's recovery or return still to be made: its key's age is the dispute's (or its closing's)
    await sql.query(`UPDATE disputes SET created_at = created_at - make_interval(secs => $1), closed_at = closed_at - make_interval(secs => $1) WHERE recovery_status IN ('pending', 'returning')`, [
      seconds,
    ]);
  } finally {
    await sql.end();
  }
  // Stripe's clock after ours: a worker reading an intent in between finds its key old (and looks the
  // object up), never fresh for a Stripe that has forgotten it
  t.sandbox.control.advance(seconds);
}

async function unfinished(t: TestApp, sql: SqlClient, explained: string[] = []): Promise<string[]> {
  const out: string[] = [];
  for (const [table, query] of Object.entries(UNFINISHED)) for (const row of await sql.query<{ id: string; status: string }>(query)) out.push(`${table} ${row.id} still ${row.status}`);
  // a failed refund's share waits in the platform's balance for funds to cover its return to the
  // seller (balance_insufficient, by design): explained while the platform's available balance is short of it
  const waiting = await sql.query<{ id: string; currency: string; amount: string }>(
    // in the currency of the transfer reversal it gives back (the seller's settlement currency), not always the charge's
    `SELECT r.id, coalesce((SELECT l.currency FROM ledger_lines l WHERE l.stripe_object_id = r.transfer_reversal_id LIMIT 1), r.currency) AS currency, r.failure_return_amount::text AS amount FROM refunds r
      WHERE r.failure_return_status = 'pending' AND r.failure_return_error_code ILIKE '%insufficient%'`,
  );
  if (waiting.length === 0) return out;
  const available = (await t.stripe.balance.retrieve()).available;
  for (const w of waiting) {
    const has = available.find((b) => b.currency === w.currency.toLowerCase())?.amount ?? 0;
    if (BigInt(has) >= BigInt(w.amount)) continue;
    explained.push(`refund ${w.id}: its failed share (${w.amount} ${w.currency}) waits for the platform's funds (available ${has})`);
    const i = out.findIndex((l) => l.startsWith(`refunds ${w.id} `));
    if (i >= 0) out.splice(i, 1);
  }
  return out;
}

export async function settle(t: TestApp, orders: Array<{ id: string; held: boolean }>, failures: string[], explained: string[]): Promise<void> {
  const control = t.sandbox.control;
  control.clearFaults();
  control.holdRefunds(0);
  control.setWebhookFaults({ duplicate: 1, shuffle: false, outage: false });
  control.releaseWebhooks();
  await control.webhooksIdle();
  // a held order is released by the admin once it is paid (its payment's event may still be on its way)
  for (const order of orders.filter((o) => o.held)) {
    let last = 0;
    await waitFor(
      async () => {
        last = (await t.http.post(`/orders/${order.id}/release`).set(bearer(t.adminKey)).send()).status;
        return last === 200 ? true : undefined;
      },
      10_000,
      'held order released',
    ).catch(() => failures.push(`releasing held order ${order.id} answered ${last}`));
  }
  // refunds a lost response left held at Stripe: they go through now
  for (const r of Object.values(control.state().refunds as Array<{ object: { id: string; status: string } }>)) if (r.object.status === 'pending') control.succeedRefund(r.object.id);
  const sql = sqlClient(t.databaseUrl);
  try {
    // a refund whose request ended without Stripe's answer waits 5 minutes (real time) for the
    // recovery worker: the sim lets those minutes pass for it, then runs the recovery
    await sql.query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE status = 'pending' AND source = 'api'`);
    // the payments worker (polling) may claim one of them first: every recovery ends before the
    // clock is moved on, as minutes (not days) pass for it in real time. A recovery still under way
    // when the sandbox jumps days would send `refund:<id>` to a Stripe that has forgotten that key
    // (a second refund), where real time would have aged the key past its 23 h for the worker too.
    await waitFor(
      async () => {
        await t.app.get(RefundRecoveryService).runOnce();
        return (await sql.query(`SELECT id FROM refunds WHERE status = 'pending' AND source = 'api' AND stripe_refund_id IS NULL`)).length === 0 ? true : undefined;
      },
      10_000,
      'stranded refunds recovered',
    ).catch(() => false);
    // likewise a dispute recovery (or return) whose Stripe call failed waits 30 s (real time) for its
    // retry with the same key; a lost answer left its reversal made at Stripe and not booked until then.
    // The recoveries are retried (and end) before the clock moves on, for the same reason as the refunds'
    // (a refund's failed-share return and its return reversal wait the same 30 s and more after a failed call: due too)
    const retriesDue = async () => {
      await sql.query(`UPDATE disputes SET recovery_next_attempt_at = now() WHERE recovery_status IN ('pending', 'returning') AND recovery_error IS NOT NULL AND recovery_next_attempt_at > now()`);
      for (const step of ['failure_return', 'return_reversal'])
        await sql.query(`UPDATE refunds SET ${step}_next_attempt_at = now() WHERE ${step}_status = 'pending' AND ${step}_error IS NOT NULL AND ${step}_next_attempt_at > now()`);
    };
    await waitFor(
      async () => {
        await retriesDue();
        await t.app.get(DisputeRecoveryService).runOnce();
        return (await sql.query(`SELECT id FROM disputes WHERE recovery_status = 'pending'`)).length === 0 ? true : undefined;
      },
      10_000,
      'dispute recoveries retried',
    ).catch(() => false);
    for (let round = 0; round < 8; round++) {
      await passTime(t, 3 * 86_400);
      await control.webhooksIdle();
      await retriesDue();
      await t.app.get(DisputeRecoveryService).runOnce();
      await drainTransferWorkers(t);
      const done = await waitFor(async () => ((await unfinished(t, sql)).length === 0 ? true : undefined), 2_000, 'nothing unfinished').catch(() => false);
      if (done) break;
    }
    // a loaded machine (CI shares its cores) can leave a handler mid-way: a last grace before judging
    await waitFor(async () => ((await unfinished(t, sql)).length === 0 ? true : undefined), 10_000, 'nothing unfinished').catch(() => false);
    const left = await unfinished(t, sql, explained);
    failures.push(...left.map((l) => `not terminal after settling: ${l}`));
    if (left.length) {
      const b = await t.stripe.balance.retrieve();
      const show = (l: Array<{ amount: number; currency: string }>) => l.map((x) => `${x.amount} ${x.currency}`).join(', ') || 'nothing';
      failures.push(`(the platform's balance at Stripe then: available ${show(b.available)}; pending ${show(b.pending)})`);
    }
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

export function checkNoDuplicates(t: TestApp, failures: string[]): void {
  failures.push(...duplicatesAtStripe(t.sandbox.control.state()).map((d) => `two Stripe objects for one operation: ${d}`));
}

export async function checkInvariants(t: TestApp, run: RunJson, failures: string[]): Promise<void> {
  const sql = sqlClient(t.databaseUrl);
  try {
    for (const r of await sql.query<{ entry_id: string; currency: string; sum: string }>(
      `SELECT entry_id, currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY entry_id, currency HAVING sum(amount) <> 0`,
    ))
      failures.push(`ledger entry ${r.entry_id} does not balance in ${r.currency}: ${r.sum}`);
    for (const r of await sql.query<{ currency: string; sum: string }>(`SELECT currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY currency HAVING sum(amount) <> 0`))
      failures.push(`trial balance in ${r.currency} is ${r.sum}, not zero`);
    // what a seller is owed (payable, less their debts) is what Stripe holds for them, plus a failed
    // refund's share still on its way back to them from the platform's balance: nothing owed went missing
    for (const r of await sql.query<{ seller_id: string; currency: string; sum: string }>(
      `WITH owed AS (
         SELECT seller_id, currency, sum(amount) AS amount FROM ledger_lines
          WHERE seller_id IS NOT NULL AND account IN ('connected_cash_pending', 'connected_cash_available', 'seller_payable_pending', 'seller_payable_available', 'seller_debts')
          GROUP BY seller_id, currency
         UNION ALL
         SELECT o.seller_id, coalesce((SELECT l.currency FROM ledger_lines l WHERE l.stripe_object_id = r.transfer_reversal_id LIMIT 1), r.currency), sum(r.failure_return_amount) FROM refunds r JOIN (SELECT order_id, min(seller_id::text)::uuid AS seller_id FROM order_sellers GROUP BY order_id HAVING count(*) = 1) o ON o.order_id = r.order_id
          WHERE r.failure_return_status = 'pending' GROUP BY o.seller_id, 2)
       SELECT seller_id, currency, sum(amount)::text AS sum FROM owed GROUP BY seller_id, currency HAVING sum(amount) <> 0`,
    ))
      failures.push(`seller ${r.seller_id} ${r.currency}: what they are owed and what Stripe holds for them (with returns on their way) differ by ${r.sum}`);
  } finally {
    await sql.end();
  }
  const check = await balanceCheck(t);
  if (!check.matches) failures.push(...describeMismatches(check.balances).map((m) => `balance check: ${m}`));
  if (run.status !== 'completed') failures.push(`reconciliation run ${run.id} ended ${run.status}`);
  else failures.push(...described(await discrepanciesOf(t, run.id)).map((d) => `reconciliation: ${d}`));
}
