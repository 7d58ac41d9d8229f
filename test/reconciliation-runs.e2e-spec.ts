// Reconciliation runs as operations: the API's idempotency and refusals, one run per cron slot
// whoever fires it, a run killed halfway resuming from its cursor, webhooks in flight, missed
// slots, and the CSV an accountant opens.
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReconciliationSchedule } from '../apps/marketplace/src/reconciliation/reconciliation-schedule.service.js';
import { ReconciliationStore } from '../apps/marketplace/src/reconciliation/reconciliation-store.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { paidOrder } from './support/checkout.js';
import { waitFor, type RunningProcess } from './support/process.js';
import { described, discrepanciesOf, finishedRun, reconcile } from './support/reconciliation.js';
import { startTestWorker } from './support/test-app.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';
import { workerProcess } from './support/worker-process.js';

const DAY = 86_400;

describe('reconciliation runs', () => {
  // no poll: the tests say which instance works a run (the API kicks this one's worker loop)
  const t = testAppForFile({ RECONCILIATION_POLL_MS: '3600000', RECONCILIATION_CRON: '0 * * * *' });
  const procs: RunningProcess[] = [];
  const workers: INestApplicationContext[] = [];
  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    for (const w of workers) await w.close();
  });
  const sql = () => t.app.get(DataSource);
  const startRun = (body: object, key: string = randomUUID(), as = t.adminKey) => t.http.post('/admin/reconciliation/runs').set(bearer(as)).set('Idempotency-Key', key).send(body);
  const sandboxNow = () => new Date(t.sandbox.control.now() * 1000);

  it('POST /admin/reconciliation/runs: the key is bound to the run it made; bad windows, other roles and a missing key change nothing', async () => {
    const runsBefore = await sql().query(`SELECT count(*)::int AS n FROM reconciliation_runs`);
    await startRun({ from: '2026-12-02T10:00:00Z', to: '2026-12-01T10:00:00Z' }).expect(400, /RECONCILIATION.INVALID_WINDOW/);
    await startRun({ from: 'yesterday' }).expect(400);
    await startRun({ windowFrom: '2026-12-01T00:00:00Z' }).expect(400);
    const seller = await createPrincipal(t, 'seller');
    await startRun({}, randomUUID(), seller.key).expect(403);
    await t.http.post('/admin/reconciliation/runs').set(bearer(t.adminKey)).send({}).expect(400);
    expect(await sql().query(`SELECT count(*)::int AS n FROM reconciliation_runs`)).toEqual(runsBefore);

    const key = randomUUID();
    const first = (await startRun({}, key).expect(201)).body;
    const again = await startRun({}, key).expect(201);
    expect(again.body.id).toBe(first.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await startRun({ from: new Date(Date.now() - DAY * 1000).toISOString() }, key).expect(422, /IDEMPOTENCY.KEY_REUSED/);
    expect((await finishedRun(t, first.id)).status).toBe('completed');
    expect((await sql().query(`SELECT count(*)::int AS n FROM reconciliation_runs WHERE idempotency_key = $1`, [key]))[0].n).toBe(1);
  });

  it('two worker instances firing the cron at the same moment make one run, worked once', async () => {
    const seller = await createActiveSeller(t, 'Cron twice');
    await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 1_500 }));
    await fundsAvailable(t);
    const other = await startTestWorker({ databaseUrl: t.databaseUrl, sandboxUrl: t.sandbox.url, env: { RECONCILIATION_POLL_MS: '3600000', RECONCILIATION_CRON: '0 * * * *' } });
    workers.push(other);
    const slot = new Date('2026-12-02T05:00:00Z');
    const [a, b] = await Promise.all([t.app.get(ReconciliationSchedule).runSlot(slot), other.get(ReconciliationSchedule).runSlot(slot)]);
    const made = [a, b].filter(Boolean);
    expect(made).toHaveLength(1);
    const run = await finishedRun(t, made[0]!.id);
    expect(run).toMatchObject({ status: 'completed', trigger: 'schedule', slot: slot.toISOString() });
    const [{ n }] = await sql().query(`SELECT count(*)::int AS n FROM reconciliation_items WHERE run_id = $1`, [run.id]);
    expect(run.counts.stripeTransactions).toBe(n);
    expect(run.counts.matched).toBe(n);
    expect((await sql().query(`SELECT count(*)::int AS n FROM reconciliation_runs WHERE slot = $1`, [slot]))[0].n).toBe(1);
  });

  it('a run killed halfway (SIGKILL mid-pass) resumes from its cursor on another instance and counts nothing twice', async () => {
    // 450 balance transactions the ledger never booked: five pages, each item a discrepancy
    const seeded = t.sandbox.control.seedBalanceHistory({ transactions: 450 });
    expect(seeded).toBeTruthy();
    const from = new Date(sandboxNow().getTime() - 30 * DAY * 1000);
    const to = new Date(sandboxNow().getTime() + 1000);
    const run = (await t.app.get(ReconciliationStore).create({ trigger: 'admin', slot: null, requestedBy: null, from, to }))!;
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance_transactions', kind: 'latency', latencyMs: 400, count: null });
    const worker = workerProcess(t, 'reconciler-a', { RECONCILIATION_POLL_MS: '100', RECONCILIATION_CRON: '0 0 1 1 *', STRIPE_REQUESTS_PER_SECOND: '1000' });
    procs.push(worker);
    const midway = await waitFor(
      async () => {
        const r = await t.app.get(ReconciliationStore).get(run.id);
        return r && r.cursor.phase === 'transactions' && r.counts.pages >= 3 ? r : undefined;
      },
      60_000,
      'the run halfway through its transactions',
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    t.sandbox.control.clearFaults();
    const left = (await t.app.get(ReconciliationStore).get(run.id))!;
    expect(left.status).toBe('running');
    expect(left.counts.stripeTransactions).toBeGreaterThanOrEqual(midway.counts.stripeTransactions);
    expect(left.counts.stripeTransactions).toBeLessThan(450);

    // the dead process's lock goes when PostgreSQL sees its connection close: this instance asks until it has it
    await waitFor(
      async () => {
        await t.app.get(ReconciliationSchedule).kick();
        const r = await t.app.get(ReconciliationStore).get(run.id);
        return r?.status === 'completed' ? true : undefined;
      },
      60_000,
      'the run resumed and completed here',
    );
    const done = await finishedRun(t, run.id);
    expect(done.status).toBe('completed');
    const [{ items }] = await sql().query(`SELECT count(*)::int AS items FROM reconciliation_items WHERE run_id = $1`, [run.id]);
    const [{ findings }] = await sql().query(`SELECT count(*)::int AS findings FROM reconciliation_findings WHERE run_id = $1`, [run.id]);
    expect(done.counts.stripeTransactions).toBe(items);
    expect(items).toBeGreaterThanOrEqual(450);
    expect(done.counts.discrepancies).toBe(findings);
    expect(done.matched.reduce((s: number, m: { compared: number }) => s + m.compared, 0)).toBe(items);
    const missing = await discrepanciesOf(t, run.id, { kind: 'missing_in_ledger' });
    expect(missing.filter((d) => d.details.type === 'charge' && d.balance === 'platform')).toHaveLength(450);

    // the same window run again from scratch counts the same
    const clean = await reconcile(t, { from: from.toISOString(), to: to.toISOString() });
    expect(clean.counts.stripeTransactions).toBe(done.counts.stripeTransactions);
    // those 450 are still there: seen again by this run, the same items (none made anew)
    expect(clean.counts.discrepancies).toBe(done.counts.discrepancies);
    expect((await sql().query(`SELECT count(*)::int AS n FROM reconciliation_discrepancies WHERE found_in_run_id = $1`, [clean.id]))[0].n).toBe(0);
    // an admin resolves them (the books never had them): seen again unchanged, they stay resolved
    await sql().query(`UPDATE reconciliation_discrepancies SET status = 'resolved', resolution_note = 'seeded by the test', resolved_at = now() WHERE status IN ('open', 'healed')`);
    const after = await reconcile(t, { from: from.toISOString(), to: to.toISOString() });
    expect(after.counts.discrepancies).toBe(done.counts.discrepancies);
    expect(await discrepanciesOf(t, after.id, { status: 'open' })).toEqual([]);
  });

  it('a webhook in flight is not a discrepancy: in flight within RECONCILIATION_SKEW_S, then found missing by the next run if it never comes', async () => {
    const seller = await createActiveSeller(t, 'In flight');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 2_000 }));
    await fundsAvailable(t);
    t.sandbox.control.setWebhookFaults({ outage: true });
    try {
      const refund = await t.stripe.refunds.create({ charge: order.chargeId, amount: 300 });
      const first = await reconcile(t);
      expect(first.counts.inFlight).toBeGreaterThanOrEqual(1);
      expect((await discrepanciesOf(t, first.id)).filter((d) => d.stripe.objectId === refund.id)).toEqual([]);
      t.sandbox.control.advance(301);
      const second = await reconcile(t);
      expect((await discrepanciesOf(t, second.id)).filter((d) => d.stripe.objectId === refund.id).map((d) => d.kind)).toEqual(['missing_in_ledger']);
    } finally {
      t.sandbox.control.setWebhookFaults({ outage: false });
    }
    await t.sandbox.control.webhooksIdle();
    await waitFor(async () => ((await sql().query(`SELECT count(*)::int AS n FROM webhook_events WHERE status IN ('pending', 'processing')`))[0].n === 0 ? true : undefined), 15_000, 'inbox worked');
    const third = await reconcile(t);
    expect(described((await discrepanciesOf(t, third.id, { status: 'open' })).filter((d) => d.kind !== 'balance_mismatch'))).toEqual([]);
  });

  it('GET /admin/reconciliation/runs lists runs and every cron slot without one as missed', async () => {
    const res = await t.http.get('/admin/reconciliation/runs').query({ days: '1' }).set(bearer(t.adminKey)).expect(200);
    expect(res.body.cron).toBe('0 * * * *');
    const missed = res.body.data.filter((r: { status: string }) => r.status === 'missed');
    // the hourly slots of the last day, but for the one a run stood for (05:00 ran in the test above, if within the day)
    expect(missed.length).toBeGreaterThanOrEqual(22);
    expect(missed[0]).toMatchObject({ id: null, trigger: 'schedule', slot: expect.stringMatching(/T\d\d:00:00.000Z$/) });
    expect(res.body.data.some((r: { status: string }) => r.status === 'completed')).toBe(true);
    await t.http.get('/admin/reconciliation/runs').query({ days: '0' }).set(bearer(t.adminKey)).expect(400);
  });

  it('a run as CSV: one row per balance transaction compared, amounts in major units, the outcome and its discrepancy', async () => {
    const run = await reconcile(t);
    const res = await t.http.get(`/admin/reconciliation/runs/${run.id}/export.csv`).set(bearer(t.adminKey)).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('balance_transaction,balance,type,source,created,available_on,currency,amount,fee,net,ledger_net,ledger_fee,outcome,discrepancy_id,ledger_entries,dashboard_url');
    expect(lines.length - 1).toBe(run.counts.stripeTransactions);
    const charge = lines.find((l) => l.includes(',charge,') && l.includes(',matched,'))!;
    expect(charge).toMatch(/,USD,\d+\.\d\d,\d+\.\d\d,\d+\.\d\d,\d+\.\d\d,\d+\.\d\d,matched,,/);
    await t.http.get(`/admin/reconciliation/runs/${randomUUID()}/export.csv`).set(bearer(t.adminKey)).expect(404);
  });
});
