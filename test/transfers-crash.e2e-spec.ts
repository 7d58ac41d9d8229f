// A real worker process is killed (SIGKILL) while its transfers are at Stripe and before it commits
// their outcome; a restarted process finishes them: every transfer exists exactly once.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { stopProcess, waitFor, type RunningProcess } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { paidCart } from './support/transfers.js';
import { workerProcess } from './support/worker-process.js';
const ORDERS = 50;

let t: TestApp;
let sql: SqlClient;
const procs: RunningProcess[] = [];

beforeAll(async () => {
  // the in-process app serves HTTP and webhooks; its own transfers loop idles, the worker processes do the transfers
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000' } });
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  for (const p of procs) await stopProcess(p);
  await sql?.end();
  await t?.close();
});

const worker = (name: string) => workerProcess(t, name, { STRIPE_REQUESTS_PER_SECOND: '1000', STRIPE_TRANSFERS_PER_SECOND: '1000', TRANSFERS_WORKER_POLL_MS: '50', TRANSFERS_RETRY_BASE_MS: '100' });

const count = async (status: string) => (await sql.one<{ n: number }>(`SELECT count(*)::int AS n FROM transfers WHERE kind = 'order' AND status = $1`, [status])).n;

it(`${ORDERS} two-seller orders; the worker is SIGKILLed after its Stripe calls, before its commits; after a restart each transfer exists once and every row succeeded`, async () => {
  const [a, b] = [await createActiveSeller(t, 'Seller A'), await createActiveSeller(t, 'Seller B')];
  const listings = [await createListing(t, a, { unitAmount: 1_000 }), await createListing(t, b, { unitAmount: 2_000 })];
  const buyer = await createPrincipal(t, 'buyer');
  for (let i = 0; i < ORDERS; i += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, ORDERS - i) }, () =>
        paidCart(
          t,
          buyer,
          listings.map((listingId) => ({ listingId, quantity: 1 })),
        ),
      ),
    );
  expect(await count('pending')).toBe(ORDERS * 2);

  // Stripe holds each transfer call 2 s before making it: the process dies with calls in flight, Stripe makes them anyway.
  // Webhooks are withheld meanwhile, so only the restarted worker's look-up can find what was made.
  t.sandbox.control.setWebhookFaults({ outage: true });
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'latency', latencyMs: 2_000, count: null });
  t.sandbox.control.resetRequestStats();
  const first = worker('transfers-a');
  procs.push(first);
  // killed once Stripe has received 20 transfer calls (counted at the sandbox as they arrive, before the 2 s hold)
  const arrived = () => t.sandbox.control.requestStats({ key: 'POST /v1/transfers', windowSeconds: 600 }).total;
  await waitFor(async () => (arrived() >= 20 ? true : undefined), 30_000, 'transfer calls at Stripe');
  first.child.kill('SIGKILL');
  await first.exited;
  // what the dead process left: rows in submitting whose calls Stripe is still making (and perhaps a batch it committed)
  const inFlight = (await sql.query<{ id: string }>(`SELECT id FROM transfers WHERE status = 'submitting'`)).map((r) => r.id);
  const committed = await count('succeeded');
  expect(inFlight.length).toBeGreaterThanOrEqual(1);
  await new Promise((r) => setTimeout(r, 2_500)); // Stripe finishes the calls the dead process made
  t.sandbox.control.clearFaults();
  const madeWhileDead = new Set<string>();
  for await (const tr of t.stripe.transfers.list({ limit: 100 })) if (tr.metadata.transfer_id) madeWhileDead.add(tr.metadata.transfer_id);
  // calls that reached Stripe before the kill were made after it; rows whose transaction 1 committed but whose call had
  // not left the process (the request budget spaces them) were never sent
  const reached = inFlight.filter((id) => madeWhileDead.has(id));
  expect(reached.length).toBeGreaterThanOrEqual(1);
  expect(madeWhileDead.size).toBe(committed + reached.length);

  // the dead worker's leases lapse (60 s): made to lapse now rather than waited out
  await sql.query(`UPDATE transfers SET next_attempt_at = now() WHERE status = 'submitting'`);
  const second = worker('transfers-b');
  procs.push(second);
  await waitFor(async () => ((await count('succeeded')) === ORDERS * 2 ? true : undefined), 60_000, 'every transfer succeeded');
  await stopProcess(second);

  const counts = new Map<string, number>();
  for await (const tr of t.stripe.transfers.list({ limit: 100 })) if (tr.metadata.transfer_id) counts.set(tr.metadata.transfer_id, (counts.get(tr.metadata.transfer_id) ?? 0) + 1);
  expect(counts.size).toBe(ORDERS * 2);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  // the restarted worker found the dead one's transfers at Stripe instead of sending them again (one create call each);
  // a row whose call never left the dead process was looked up, not found, and sent with the same key (a second call)
  const attempts = new Map(
    (await sql.query<{ id: string; submit_attempts: number; idempotency_key: string }>(`SELECT id, submit_attempts, idempotency_key FROM transfers WHERE id = ANY($1)`, [inFlight])).map((r) => [
      r.id,
      r,
    ]),
  );
  for (const id of inFlight) {
    expect(attempts.get(id)!.submit_attempts).toBe(reached.includes(id) ? 1 : 2);
    expect(attempts.get(id)!.idempotency_key).toBe(`transfer:${id}`);
  }
  console.log(
    `transfer crash: ${committed} committed before the kill, ${inFlight.length} in flight at the kill (${reached.length} made by Stripe after the kill and found by the restarted worker, ${inFlight.length - reached.length} never sent), ${ORDERS * 2} in all`,
  );

  t.sandbox.control.releaseWebhooks();
  await expectBooksMatchStripe(t, { timeoutMs: 60_000 });
}, 180_000);
