// Reconciliation across runs: what changes after a run has compared it is compared again by a later
// run, whose window need not hold it (a line posted later, a payout that arrives later, a fee refunded
// again); a run that failed is worked again; a page is committed once.
import { randomUUID } from 'node:crypto';
import { Money } from '@app/money';
import { DataSource } from 'typeorm';
import { credit, debit, LedgerService } from '../apps/marketplace/src/ledger/index.js';
import { ReconciliationSchedule } from '../apps/marketplace/src/reconciliation/reconciliation-schedule.service.js';
import { ReconciliationStore } from '../apps/marketplace/src/reconciliation/reconciliation-store.js';
import { START } from '../apps/marketplace/src/reconciliation/reconciliation-run.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { approvedRequest, attemptRows, sellerWithAvailableFunds, waitForRequest } from './support/payout-execution.js';
import { waitFor } from './support/process.js';
import { type DiscrepancyJson, type RunJson, described, discrepanciesOf, finishedRun, reconcile } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

const SKEW_S = 300;

describe('reconciliation across runs', () => {
  // no poll: a run is worked when the API or a slot kicks this instance's worker loop
  const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYMENTS_WORKER_POLL_MS: '50', RECONCILIATION_POLL_MS: '3600000' });
  afterEach(() => {
    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.clearFaults();
  });
  const sql = () => t.app.get(DataSource);
  const pastSkew = () => t.sandbox.control.advance(SKEW_S + 1);
  const sandboxNow = () => new Date(t.sandbox.control.now() * 1000);
  // a window like a scheduled run's after `previous`: from a skew before its end to Stripe's clock
  const runAfter = (previous: RunJson) => reconcile(t, { from: new Date(new Date(previous.windowTo).getTime() - SKEW_S * 1000).toISOString() });
  const about = (found: DiscrepancyJson[], stripeId: string) => found.filter((d) => d.stripe.objectId === stripeId || d.stripe.balanceTransactionId === stripeId);
  const discrepancy = async (id: string) => (await t.http.get(`/admin/reconciliation/discrepancies/${id}`).set(bearer(t.adminKey)).expect(200)).body;
  const heal = (id: string) => t.http.post(`/admin/reconciliation/discrepancies/${id}/heal`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({});
  const resolve = (id: string, note: string) => t.http.post(`/admin/reconciliation/discrepancies/${id}/resolve`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ note });

  it('a page is committed once: a second commit from the same cursor is refused and changes nothing', async () => {
    const store = t.app.get(ReconciliationStore);
    const to = sandboxNow();
    const made = await store.create({ trigger: 'schedule', slot: new Date('2026-01-01T00:00:00Z'), requestedBy: null, from: new Date(to.getTime() - 3_600_000), to });
    const run = await store.start(made!.id, ['platform'], to);
    const next = { phase: 'in_flight' as const, balance: 0, after: null };
    const counts = await store.commitPage(run.id, { next, rechecked: 3 }, START);
    expect(counts.rechecked).toBe(3);
    // an instance that read the same page (it lost the lock, or a retry) commits it again from the cursor it started at
    await expect(store.commitPage(run.id, { next, rechecked: 3 }, START)).rejects.toThrow(/moved on/);
    expect(await store.get(run.id)).toMatchObject({ cursor: next, counts: { rechecked: 3 } });
    await store.finish(run.id, 'completed');
  });

  it("a line posted after a run compared its transaction is judged again by the next run, though the transaction is older than the next run's window", async () => {
    const seller = await createActiveSeller(t, 'Booked again later');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 4_000 }));
    await fundsAvailable(t);
    pastSkew();
    const first = await reconcile(t);
    expect(described(await discrepanciesOf(t, first.id))).toEqual([]);
    const [line]: Array<{ txn: string; available_on: Date }> = await sql().query(
      `SELECT stripe_balance_transaction_id AS txn, available_on FROM ledger_lines WHERE stripe_object_id = $1 AND account LIKE 'platform_cash_%' LIMIT 1`,
      [order.chargeId],
    );
    const [compared] = await sql().query(`SELECT outcome FROM reconciliation_items WHERE run_id = $1 AND balance_transaction_id = $2`, [first.id, line!.txn]);
    expect(compared).toEqual({ outcome: 'matched' });
    const bad = await sql().transaction((tx) =>
      t.app.get(LedgerService).post(tx, {
        kind: 'charge',
        reference: { type: 'order', id: order.id },
        idempotencyKey: `test:booked-later:${order.id}`,
        lines: [
          debit('platform_cash_available', Money.of(250n, 'USD'), undefined, { objectId: order.chargeId, balanceTransactionId: line!.txn, account: null, availableOn: line!.available_on }),
          credit('platform_fee_revenue', Money.of(250n, 'USD')),
        ],
      }),
    );
    pastSkew();

    const second = await runAfter(first);
    const charged = await t.stripe.balanceTransactions.retrieve(line!.txn);
    expect(charged.created * 1000).toBeLessThan(new Date(second.windowFrom).getTime()); // the transaction is not in this run's window
    const [wrong, ...others] = about(await discrepanciesOf(t, second.id), line!.txn);
    expect(others).toEqual([]);
    expect(wrong).toMatchObject({ kind: 'amount_mismatch', balance: 'platform', stripe: { objectId: order.chargeId, balanceTransactionId: line!.txn } });
    expect(BigInt(wrong.ours.amount) - BigInt(wrong.stripe.amount)).toBe(250n);
    expect(wrong.ours.entryIds).toContain(bad.id);

    expect((await heal(wrong.id).expect(200)).body.heals[0]).toMatchObject({ action: 'correct', result: { difference: '250' } });
    await expectBooksMatchStripe(t);
    const third = await runAfter(second);
    expect(await discrepancy(wrong.id)).toMatchObject({ status: 'cleared', clearedInRunId: third.id });
    expect(described(await discrepanciesOf(t, third.id, { status: 'open' }))).toEqual([]);
  });

  it('a payout made in one window that arrives in the next, its paid event withheld: the next run finds our attempt behind Stripe (by arrival)', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Arrives later', unitAmount: 5_000 });
    const request = await approvedRequest(t, seller, 4_000n);
    const [attempt] = await waitFor(
      async () => {
        const rows = await attemptRows(t, request);
        return rows[0]?.status === 'created' ? rows : undefined;
      },
      20_000,
      'payout made',
    );
    await t.sandbox.control.webhooksIdle();
    pastSkew(); // the payout is older than the next window's start
    const first = await reconcile(t);
    expect(about(await discrepanciesOf(t, first.id), attempt!.stripe_payout_id!)).toEqual([]);

    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.advance(5 * 86_400); // Stripe pays it out; no balance transaction says so
    pastSkew();
    const second = await runAfter(first);
    const payout = await t.stripe.payouts.retrieve(attempt!.stripe_payout_id!, {}, { stripeAccount: seller.account });
    expect(payout.created * 1000).toBeLessThan(new Date(second.windowFrom).getTime()); // made before this run's window: found by its arrival
    expect(payout.status).toBe('paid');
    const [behind, ...others] = about(await discrepanciesOf(t, second.id), attempt!.stripe_payout_id!);
    expect(others).toEqual([]);
    expect(behind).toMatchObject({
      kind: 'status_mismatch',
      balance: seller.account,
      ours: { row: { type: 'payout_attempt', id: attempt!.id } },
      details: { stripeStatus: 'paid', attemptStatus: 'created', ledgerReturned: false },
    });

    await heal(behind.id).expect(200); // backfill: payout.paid from /v1/events
    t.sandbox.control.setWebhookFaults({ outage: false });
    await waitForRequest(t, request, (r) => r.status === 'paid', 'paid');
    await expectBooksMatchStripe(t);
    const third = await runAfter(second);
    expect(await discrepancy(behind.id)).toMatchObject({ status: 'cleared', clearedInRunId: third.id });
  });

  it('a scheduled run that failed (Stripe down for every page) keeps its cursor and is worked again at the next slot, in our words meanwhile', async () => {
    const schedule = t.app.get(ReconciliationSchedule);
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance_transactions', kind: 'error_500', count: 10_000 });
    const failing = await schedule.runSlot(new Date('2026-02-01T00:00:00Z'));
    const failed = await finishedRun(t, failing!.id, 120_000);
    expect(failed).toMatchObject({ status: 'failed', cursor: { phase: 'transactions' } });
    expect(failed.error).toMatch(/^the transactions pass failed 5 times in a row \(STRIPE\.[A-Z_]+\); it resumes/);
    expect(failed.error).not.toMatch(/500|Internal|sandbox/i);
    t.sandbox.control.clearFaults();

    const next = await schedule.runSlot(new Date('2026-02-01T01:00:00Z'));
    // the next slot's window starts a skew before the failed run's end: nothing between them is left out
    expect(next!.windowFrom.getTime()).toBe(new Date(failed.windowTo).getTime() - SKEW_S * 1000);
    const resumed = await finishedRun(t, failing!.id, 60_000);
    expect(resumed).toMatchObject({ status: 'completed', error: null });
    expect(resumed.counts.rechecked).toBe(failed.counts.rechecked); // the recheck pass it had finished was not done again
    expect((await finishedRun(t, next!.id, 60_000)).status).toBe('completed');
  });

  it("a run's compared transactions are deleted RECONCILIATION_ITEMS_RETENTION_DAYS after it finished: its CSV is gone (410), its totals stay", async () => {
    const seller = await createActiveSeller(t, 'Old run');
    await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 2_000 }));
    await fundsAvailable(t);
    const old = await reconcile(t);
    const itemsOf = async (id: string) => (await sql().query(`SELECT count(*)::int AS n FROM reconciliation_items WHERE run_id = $1`, [id]))[0].n as number;
    expect(await itemsOf(old.id)).toBe(old.counts.stripeTransactions);
    const kept = await reconcile(t);
    await sql().query(`UPDATE reconciliation_runs SET finished_at = now() - interval '91 days' WHERE id = $1`, [old.id]);

    const slotRun = await t.app.get(ReconciliationSchedule).runSlot(new Date('2026-03-01T00:00:00Z'));
    await finishedRun(t, slotRun!.id, 60_000);
    expect(await itemsOf(old.id)).toBe(0);
    expect(await itemsOf(kept.id)).toBe(kept.counts.stripeTransactions);
    const after = (await t.http.get(`/admin/reconciliation/runs/${old.id}`).set(bearer(t.adminKey)).expect(200)).body;
    expect(after).toMatchObject({ status: 'completed', counts: old.counts, matched: old.matched, itemsPrunedAt: expect.any(String) });
    const csv = await t.http.get(`/admin/reconciliation/runs/${old.id}/export.csv`).set(bearer(t.adminKey)).expect(410);
    expect(csv.body.error.code).toBe('RECONCILIATION.ITEMS_PRUNED');
    await t.http.get(`/admin/reconciliation/runs/${kept.id}/export.csv`).set(bearer(t.adminKey)).expect(200);
  });

  // last: the fee refunds below are never booked (an admin resolves them), so the books differ from Stripe afterwards
  it('a difference a person resolved stays resolved while it is unchanged; when it changes at Stripe it is a new open item', async () => {
    const seller = await createActiveSeller(t, 'Fee refunded twice');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 6_000 }));
    await fundsAvailable(t);
    const fee = (await t.stripe.charges.retrieve(order.chargeId)).application_fee as string;
    await t.stripe.applicationFees.createRefund(fee, { amount: 200 });
    pastSkew();
    await t.sandbox.control.webhooksIdle();

    const first = await reconcile(t);
    const found = await discrepanciesOf(t, first.id, { status: 'open' });
    const [onFee] = about(found, fee);
    expect(onFee).toMatchObject({ kind: 'amount_mismatch', stripe: { amount: '200' } });
    for (const d of found) await resolve(d.id, 'Refunded by support; booked by hand (ticket 4412)').expect(200);

    const second = await reconcile(t);
    expect(await discrepancy(onFee.id)).toMatchObject({ status: 'resolved', lastSeenRunId: second.id });
    expect(described(await discrepanciesOf(t, second.id, { status: 'open' }))).toEqual([]);

    await t.stripe.applicationFees.createRefund(fee, { amount: 100 });
    pastSkew();
    await t.sandbox.control.webhooksIdle();
    const third = await reconcile(t);
    const [changed, ...others] = about(await discrepanciesOf(t, third.id, { status: 'open' }), fee).filter((d) => d.stripe.objectId === fee);
    expect(others).toEqual([]);
    expect(changed).toMatchObject({ kind: 'amount_mismatch', stripe: { amount: '300' }, status: 'open' });
    expect(changed.id).not.toBe(onFee.id);
    expect(await discrepancy(onFee.id)).toMatchObject({ status: 'resolved' });
  });
});
