// A real worker process is SIGKILLed while its payout call is at Stripe, before it commits the
// outcome; a restarted worker looks the attempt up (metadata.payout_attempt_id) instead of sending
// it again: exactly one Stripe payout, then paid.
import { expectBooksMatchStripe } from './support/checkout.js';
import { approvedRequest, attemptRows, availableAtStripe, sellerWithAvailableFunds, stripePayoutsOfRequest, waitForRequest } from './support/payout-execution.js';
import { stopProcess, waitFor, type RunningProcess } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { workerProcess } from './support/worker-process.js';

let t: TestApp;
let sql: SqlClient;
const procs: RunningProcess[] = [];

beforeAll(async () => {
  // the in-process app serves HTTP and webhooks; its own execution loop idles, the worker processes pay out
  t = await startTestApp({ env: { PAYOUT_MODE: 'reviewed', PAYOUT_EXECUTION_POLL_MS: '3600000' } });
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  for (const p of procs) await stopProcess(p);
  await sql?.end();
  await t?.close();
});

const worker = (name: string) => workerProcess(t, name, { PAYOUT_MODE: 'reviewed', PAYOUT_EXECUTION_POLL_MS: '50', PAYOUT_EXECUTION_RETRY_BASE_MS: '100' });

/** An approved request whose worker process was SIGKILLed while Stripe held its create call (webhooks withheld); Stripe made the payout after the kill. */
async function killedMidCall(name: string) {
  const seller = await sellerWithAvailableFunds(t, { name });
  const available = BigInt(await availableAtStripe(t, seller.account));
  // Stripe holds the payout call 2 s before making it: the process dies with the call in flight, Stripe makes it anyway.
  // Webhooks are withheld meanwhile, so what was made is known only to Stripe.
  t.sandbox.control.setWebhookFaults({ outage: true });
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/payouts', kind: 'latency', latencyMs: 2_000, count: null });
  t.sandbox.control.resetRequestStats();
  const id = await approvedRequest(t, seller, available);
  const first = worker(`${name}-a`);
  procs.push(first);
  await waitFor(async () => (arrived() >= 1 ? true : undefined), 30_000, 'the payout call at Stripe');
  first.child.kill('SIGKILL');
  await first.exited;
  const [left] = await attemptRows(t, id);
  expect(left).toMatchObject({ status: 'submitting', stripe_payout_id: null, submit_attempts: 1 });
  await new Promise((r) => setTimeout(r, 2_500)); // Stripe finishes the call the dead process made
  t.sandbox.control.clearFaults();
  expect((await stripePayoutsOfRequest(t, seller.account, id)).map((p) => p.metadata?.payout_attempt_id)).toEqual([left!.id]);
  return { seller, id, attemptId: left!.id };
}

const arrived = () => t.sandbox.control.requestStats({ key: 'POST /v1/payouts', windowSeconds: 600 }).total;

async function paysOut(id: string) {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitForRequest(t, id, (r) => r.status === 'paid', 'paid', 30_000);
  await expectBooksMatchStripe(t, { timeoutMs: 60_000 });
}

it('the worker is SIGKILLed between the Stripe call and its commit; restarted, it finds the payout: still exactly one', async () => {
  const { seller, id } = await killedMidCall('payouts-lookup');
  // the dead worker's lease lapses (minutes): made to lapse now rather than waited out
  await sql.query(`UPDATE payout_attempts SET next_attempt_at = now() WHERE status = 'submitting'`);
  const second = worker('payouts-lookup-b');
  procs.push(second);
  const recorded = await waitFor(
    async () => {
      const [a] = await attemptRows(t, id);
      return a?.status === 'created' ? a : undefined;
    },
    60_000,
    'the attempt recorded created',
  );
  await stopProcess(second);
  const atStripe = await stripePayoutsOfRequest(t, seller.account, id);
  expect(atStripe.map((p) => p.id)).toEqual([recorded.stripe_payout_id]);
  // found by the look-up, never sent again: one create call in all, under the attempt's key
  expect(arrived()).toBe(1);
  expect(recorded).toMatchObject({ idempotency_key: `payout:${recorded.id}`, submit_attempts: 1 });
  t.sandbox.control.releaseWebhooks();
  await paysOut(id);
}, 180_000);

it("Stripe's payout.created comes before any worker commits the answer: the attempt adopts the payout by its metadata; no worker sends it again", async () => {
  const { seller, id, attemptId } = await killedMidCall('payouts-event');
  // no worker runs: only the events (handled by the in-process app) can tell
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  const [adopted] = await waitFor(
    async () => {
      const rows = await attemptRows(t, id);
      return rows[0]?.status === 'created' ? rows : undefined;
    },
    20_000,
    'the attempt adopted by the event',
  );
  const [payout] = await stripePayoutsOfRequest(t, seller.account, id);
  expect(adopted).toMatchObject({ id: attemptId, status: 'created', stripe_payout_id: payout!.id, stripe_status: 'pending' });
  // a worker now has nothing to send
  const next = worker('payouts-event-b');
  procs.push(next);
  await paysOut(id);
  await stopProcess(next);
  expect(arrived()).toBe(1);
  expect((await stripePayoutsOfRequest(t, seller.account, id)).length).toBe(1);
}, 180_000);
