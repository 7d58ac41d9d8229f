// Issue 13, the scheduled job that makes payout requests: for every seller with a connected account
// and each currency whose available balance at Stripe is at or above the minimum and has no open
// request, one request (origin schedule). Guarded by an advisory lock and by its payout_runs row
// keyed by the slot: two instances running the same slot make one run and each request once. The
// cron runs in the worker role only; a slot of the schedule without a run is listed as missed; an
// admin can run it now; one seller's Stripe error is counted and said, and the run goes on.
// Real app and worker instances on one PostgreSQL, the sandbox.
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PayoutRequestSchedule } from '../apps/marketplace/src/payouts/payout-request-schedule.service.js';
import { bearer } from './factories/principal.factory.js';
import { type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sellerWithFunds } from './support/payouts.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, startTestWorker } from './support/test-app.js';
import { testAppForFile } from './support/transfers.js';

const ENV = { PAYOUT_MODE: 'reviewed', PAYOUT_MINIMUMS: 'usd:500' };
const t = testAppForFile(ENV);
let sql: SqlClient;
beforeAll(() => {
  sql = sqlClient(t.databaseUrl);
});
afterAll(() => sql?.end());

const DAY = 86_400_000;
const todayMidnight = () => new Date(Math.floor(Date.now() / DAY) * DAY);
const scheduledOf = (sellerId: string) =>
  sql.query<{ amount: string; status: string; run_id: string; reason: string; requested_by: string | null }>(
    `SELECT amount::text, status, run_id, reason, requested_by FROM payout_requests WHERE seller_id = $1 AND origin = 'schedule'`,
    [sellerId],
  );

describe('the payout requests schedule', () => {
  let rich: ActiveSeller & { available: number };

  it('two instances running the same slot at once make one run and each request once', async () => {
    rich = await sellerWithFunds(t);
    const small = await sellerWithFunds(t, 520); // below the minimum
    const asked = await sellerWithFunds(t); // has a request open already
    const own = await t.http.post('/sellers/me/payouts').set(bearer(asked.key)).set('Idempotency-Key', randomUUID()).send({ amount: 900 }).expect(201);

    const worker = await startTestWorker({ databaseUrl: t.databaseUrl, sandboxUrl: t.sandbox.url, env: ENV });
    try {
      const slot = todayMidnight();
      const runs = await Promise.all([t.app.get(PayoutRequestSchedule).run(slot, 'schedule'), worker.get(PayoutRequestSchedule).run(slot, 'schedule')]);
      const ids = new Set(runs.filter((r) => r !== null).map((r) => r!.id));
      expect(ids.size).toBe(1);
      // later, once more on the other instance: the slot has its run
      expect((await worker.get(PayoutRequestSchedule).run(slot, 'schedule'))?.id).toBe([...ids][0]);
    } finally {
      await worker.close();
    }
    const rows = await sql.query(`SELECT id, trigger, status, sellers_considered, requests_created, sellers_failed, error FROM payout_runs WHERE slot = $1`, [todayMidnight()]);
    expect(rows).toEqual([{ id: expect.any(String), trigger: 'schedule', status: 'succeeded', sellers_considered: 3, requests_created: 1, sellers_failed: 0, error: null }]);
    expect(await scheduledOf(rich.id)).toEqual([
      { amount: String(rich.available), status: 'pending_review', run_id: rows[0]!.id, reason: 'scheduled payout of the available balance', requested_by: null },
    ]);
    expect(await scheduledOf(small.id)).toEqual([]);
    expect(await scheduledOf(asked.id)).toEqual([]);
    expect((await sql.query(`SELECT id FROM payout_requests WHERE seller_id = $1`, [asked.id])).map((r) => r.id)).toEqual([own.body.id]);
    const audit = await sql.query(`SELECT action, actor_role, actor_id FROM audit_log WHERE subject_type = 'payout_request' AND after->>'runId' = $1`, [rows[0]!.id]);
    expect(audit).toEqual([{ action: 'created', actor_role: 'system', actor_id: null }]);
    expect((await t.stripe.payouts.list({}, { stripeAccount: rich.account })).data).toEqual([]);
    await expectBooksMatchStripe(t);
  });

  it('lists the slots of the schedule that have no run as missed, beside the runs', async () => {
    const listed = (await t.http.get('/admin/payouts/runs').query({ days: 2 }).set(bearer(t.adminKey)).expect(200)).body;
    expect(listed.cron).toBe('0 0 * * *');
    const bySlot = new Map(listed.data.map((r: { slot: string }) => [r.slot, r]));
    expect(bySlot.get(todayMidnight().toISOString())).toMatchObject({ status: 'succeeded', trigger: 'schedule', requestsCreated: 1 });
    const yesterday = new Date(todayMidnight().getTime() - DAY).toISOString();
    expect(bySlot.get(yesterday)).toEqual(expect.objectContaining({ id: null, status: 'missed', error: 'No run happened for this scheduled slot' }));
    expect(listed.data.filter((r: { status: string }) => r.status === 'missed').map((r: { slot: string }) => r.slot)).toEqual([yesterday]);
    expect((await t.http.get('/admin/payouts/runs').query({ days: 0 }).set(bearer(t.adminKey)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
  });

  it("an admin runs it now (Idempotency-Key); one seller's Stripe error is counted and said, and the others still get their requests", async () => {
    const later = await sellerWithFunds(t);
    // every attempt of one balance read fails (the call and its 3 retries): that one seller is skipped
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance', kind: 'error_500', count: 4 });
    const sellers = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM seller_accounts WHERE stripe_account_id IS NOT NULL`))[0]!.n;
    const runsBefore = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM payout_runs`))[0]!.n;
    const key = randomUUID();
    const run = (await t.http.post('/admin/payouts/runs').set(bearer(t.adminKey)).set('Idempotency-Key', key).send().expect(201)).body;
    t.sandbox.control.clearFaults();
    expect(run).toMatchObject({
      trigger: 'admin',
      status: 'succeeded',
      sellersConsidered: sellers,
      sellersFailed: 1,
      error: expect.stringMatching(/^1 failed and the run went on: seller [0-9a-f-]{36}: /),
    });
    const replay = await t.http.post('/admin/payouts/runs').set(bearer(t.adminKey)).set('Idempotency-Key', key).send().expect(201);
    expect(replay.body.id).toBe(run.id);
    const failed = /seller ([0-9a-f-]{36})/.exec(run.error)![1];
    // the later seller got a request unless theirs was the read that failed
    expect(run.requestsCreated).toBe(failed === later.id ? 0 : 1);
    expect(await scheduledOf(later.id)).toHaveLength(failed === later.id ? 0 : 1);
    expect((await sql.query(`SELECT count(*)::int AS n FROM payout_runs`))[0]!.n).toBe(runsBefore + 1);
    expect((await t.http.post('/admin/payouts/runs').set(bearer(later.key)).set('Idempotency-Key', randomUUID()).send().expect(403)).body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
    await expectBooksMatchStripe(t);
  });

  it('the cron fires in the worker role only; two workers ticking the same second make one run per slot and each request once', async () => {
    const fresh = await sellerWithFunds(t);
    const before = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM payout_runs`))[0]!.n;
    const everySecond = { ...ENV, PAYOUT_REQUESTS_CRON: '* * * * * *' };
    const api = await startTestApp({ databaseUrl: t.databaseUrl, sandbox: t.sandbox, env: { ...everySecond, ROLE: 'api' } });
    await new Promise((r) => setTimeout(r, 2_500));
    await api.close();
    expect((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM payout_runs`))[0]!.n).toBe(before);

    const workers: INestApplicationContext[] = [];
    try {
      for (let i = 0; i < 2; i++) workers.push(await startTestWorker({ databaseUrl: t.databaseUrl, sandboxUrl: t.sandbox.url, env: everySecond }));
      await waitFor(async () => ((await scheduledOf(fresh.id)).length > 0 ? true : undefined), 15_000, 'a scheduled request for the fresh seller');
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      for (const w of workers) await w.close();
    }
    const runs = await sql.query<{ slot: Date; trigger: string; status: string }>(`SELECT slot, trigger, status FROM payout_runs WHERE trigger = 'schedule' AND slot > $1`, [todayMidnight()]);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.slot.getTime() % 1000 === 0 && r.status !== 'failed')).toBe(true);
    expect(new Set(runs.map((r) => r.slot.getTime())).size).toBe(runs.length);
    expect(await scheduledOf(fresh.id)).toEqual([expect.objectContaining({ amount: String(fresh.available), status: 'pending_review' })]);
    await expectBooksMatchStripe(t);
  });

  it('a run left running by an instance that died is finished by the next one to run its slot', async () => {
    const slot = new Date(todayMidnight().getTime() - 3 * DAY);
    await sql.query(`INSERT INTO payout_runs (slot, trigger, status) VALUES ($1, 'schedule', 'running')`, [slot]);
    const sellers = (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM seller_accounts WHERE stripe_account_id IS NOT NULL`))[0]!.n;
    const run = await t.app.get(PayoutRequestSchedule).run(slot, 'schedule');
    expect(run).toMatchObject({ status: 'succeeded', sellersConsidered: sellers, sellersFailed: 0, finishedAt: expect.any(Date) });
    expect(await sql.query(`SELECT status FROM payout_runs WHERE slot = $1`, [slot])).toEqual([{ status: 'succeeded' }]);
  });
});
