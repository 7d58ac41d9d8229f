import { randomUUID } from 'node:crypto';
import { Money } from '@app/money';
import { DataSource } from 'typeorm';
import { credit, debit, LedgerService } from '../../apps/marketplace/src/ledger/index.js';
import { ReconciliationSchedule } from '../../apps/marketplace/src/reconciliation/reconciliation-schedule.service.js';
import { bearer } from '../factories/principal.factory.js';
import { waitFor } from './process.js';
import type { TestApp } from './test-app.js';

// biome-ignore lint/suspicious/noExplicitAny: a run's JSON, read loosely as supertest's `body` is
export type RunJson = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: a discrepancy's JSON, read loosely as supertest's `body` is
export type DiscrepancyJson = Record<string, any>;

/** Asks for a run (POST /admin/reconciliation/runs) and waits until a worker has finished it; its detail. */
export async function reconcile(t: TestApp, body: { from?: string; to?: string } = {}, key: string = randomUUID()): Promise<RunJson> {
  const started = await t.http.post('/admin/reconciliation/runs').set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body).expect(201);
  return finishedRun(t, started.body.id);
}

export async function finishedRun(t: TestApp, id: string, timeoutMs = 30_000): Promise<RunJson> {
  let last: RunJson | undefined;
  try {
    return await waitFor(
      async () => {
        last = (await t.http.get(`/admin/reconciliation/runs/${id}`).set(bearer(t.adminKey)).expect(200)).body;
        return last!.status === 'completed' || last!.status === 'failed' ? last : undefined;
      },
      timeoutMs,
      `reconciliation run ${id} finished`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
  }
}

/**
 * Scheduled runs one after another (slots an hour apart from `first`), each worked to the end and
 * expected completed: its detail with the balances it read and where each started (balanceFrom).
 */
export function scheduledRuns(t: TestApp, first: Date): () => Promise<RunJson> {
  let slots = 0;
  return async () => {
    const made = await t.app.get(ReconciliationSchedule).runSlot(new Date(first.getTime() + 3_600_000 * slots++));
    const run = await finishedRun(t, made!.id, 60_000);
    expect(run.status).toBe('completed');
    const [{ balances, balance_from }] = await t.app.get(DataSource).query(`SELECT balances, balance_from FROM reconciliation_runs WHERE id = $1`, [run.id]);
    return { ...run, balances: balances as string[], balanceFrom: balance_from as Record<string, string> };
  };
}

/**
 * A mistake in the books: `amount` (minor units, USD) more on the platform's cash against the charge's
 * own balance transaction, credited to fee revenue. The entry booked and the transaction.
 */
export async function misbookCharge(t: TestApp, order: { id: string; chargeId: string }, amount: bigint, tag: string): Promise<{ entryId: string; txn: string }> {
  const db = t.app.get(DataSource);
  const [line]: Array<{ txn: string; available_on: Date }> = await db.query(
    `SELECT stripe_balance_transaction_id AS txn, available_on FROM ledger_lines WHERE stripe_object_id = $1 AND account LIKE 'platform_cash_%' LIMIT 1`,
    [order.chargeId],
  );
  const entry = await db.transaction((tx) =>
    t.app.get(LedgerService).post(tx, {
      kind: 'charge',
      reference: { type: 'order', id: order.id },
      idempotencyKey: `test:${tag}:${order.id}`,
      lines: [
        debit('platform_cash_available', Money.of(amount, 'USD'), undefined, { objectId: order.chargeId, balanceTransactionId: line!.txn, account: null, availableOn: line!.available_on }),
        credit('platform_fee_revenue', Money.of(amount, 'USD')),
      ],
    }),
  );
  return { entryId: entry.id, txn: line!.txn };
}

/** Every discrepancy a run saw (all pages). */
export async function discrepanciesOf(t: TestApp, runId: string, query: Record<string, string> = {}): Promise<DiscrepancyJson[]> {
  const out: DiscrepancyJson[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await t.http
      .get(`/admin/reconciliation/runs/${runId}/discrepancies`)
      .query({ ...query, limit: '200', ...(after ? { startingAfter: after } : {}) })
      .set(bearer(t.adminKey))
      .expect(200);
    out.push(...res.body.data);
    if (!res.body.hasMore) return out;
    after = res.body.nextCursor;
  }
}

/** What a run found, in one line each: kind, balance, Stripe ids and the summary (readable in a failed expectation). */
export const described = (ds: DiscrepancyJson[]) => ds.map((d) => `${d.kind} ${d.balance} ${d.stripe.objectId ?? ''} ${d.stripe.balanceTransactionId ?? ''}: ${d.summary}`);
