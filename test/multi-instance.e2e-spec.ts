// Several instances (issue 15): two api and two worker processes (the compiled service, ROLE=api and
// ROLE=worker) against one PostgreSQL and one sandbox, behind a round-robin balancer that the
// clients and the sandbox's webhook deliveries both go through. Under load together: single- and
// multi-seller checkouts paid on the hosted page, their webhooks, transfers, refunds, then payout
// requests asked for by sellers, approved by an admin and paid, while a second wave of checkouts runs.
// Then the invariants: every transfer, payout, refund and Checkout Session made once at Stripe
// (counted by our metadata at the sandbox), every ledger entry balanced and the trial balance zero,
// the books matching Stripe for every account, a reconciliation run with zero discrepancies, every
// row terminal, both api processes served, and the sandbox never received more per second than the
// one budget all four processes share through PostgreSQL.
//
// MULTI_INSTANCE_ORDERS orders in the first wave (a quarter of them two-seller carts), half as many in
// the second: 24 by default (CI, about 35 s); MULTI_INSTANCE_ORDERS=100 (or more) for a bigger run.
//
// Run by hand on 2026-12-02 (2 vCPU Intel Xeon, Node 20.20.2, load average 7 to 12 from other work on
// the same cores): the default passed in 35 s (689 requests at Stripe, at most 28 in a calendar second,
// 31 in any sliding second); MULTI_INSTANCE_ORDERS=60 passed in 75 s (90 orders, 1,566 requests, 28 /
// 31). MULTI_INSTANCE_ORDERS=100 first failed twice, after 250 s, waiting for the payouts to be made:
// the test approved each request once, and a bigger run's sellers ask for more than
// PAYOUT_TWO_PERSON_THRESHOLD, which needs a second admin (the test's own mistake, fixed: a second
// admin approves when the first approval leaves the request in review). Then, at load 6 to 8: 150
// orders in 104 s, 2,488 requests, the books matching Stripe, reconciliation clean, no calendar second
// over 30, but one sliding second held 32 (the helper allows 31), which stopped the test before its
// later checks: the sandbox shares this process's event loop with the load generator and the
// balancer, and a stall stamps arrivals together (see BUDGET below).
// Since then the sandbox (its own main, apps/stripe-sandbox/src/main.ts) and the balancer
// (support/round-robin-main.ts) run as processes of their own, the sandbox at nice -10 where the test
// may set it (as root; otherwise at the default), and the run's line prints the sandbox's own
// event-loop delay, where the densest sliding second began and every late-slot warning of the
// processes. Measured 2026-12-02 (load average before -> after each run, other helpers' tests on the
// same 2 cores): MULTI_INSTANCE_ORDERS=100, sandbox in its own process at nice 0: 29 in a calendar
// second / 33 in a sliding second (load 6.8 -> 12.3, failed on the 33), and 28 / 31 (load 10.7 -> 20;
// the sandbox's event loop was delayed up to 289 ms, p99 86 ms); at nice -10: 28 / 30 (load 11 -> 15,
// 101 s, 2,338 requests) and 28 / 29 (load 9.6 -> 3.4, 89 s, 2,391 requests; delay max 34 ms), both
// passed, and 29 / 31 (load 4.3 -> 9.8, 110 s, 2,511 requests), passed: its densest second began 0.2 s
// after two processes sent a request 188 and 287 ms after its slot in the same stall (see below); the
// default at nice -10: 28 / 30 and 28 / 29 (load 8 -> 10, 31-34 s), both passed.
// Why a sliding second could hold more than 30: the schedule's slots are 1100/30 ms apart, so any
// second holds at most 30 of them even when each request arrives up to the 100 ms slack after its slot
// (libs/stripe's request-budget.spec.ts checks that for all demands); 32 needs arrivals stamped some
// 137 ms or more off their slots (31 x 1100/30 - 1000). The sandbox stamps an arrival when its event
// loop reads it, and under load 10-20 that loop was delayed by up to 350 ms even in its own process
// (not scheduled, or its own work such as a 3-day clock advance): most of the excess was the
// measurement's. The senders add some of their own: a few requests a run go out on a slot that kept
// arriving late (the budget's MAX_LATE_SLOTS rule: after three late slots a request is sent on the
// last one rather than failed; logged at warn), 63 to 287 ms after it, beyond the 100 ms slack, each
// one request more in a window at most; at load 10 that rule, not the schedule, is what can still
// put 31 in a sliding second.
// One default run also timed out on a payout: a request for the seller's whole available balance was
// made just before a refund's transfer reversal (which had waited for the funds) took part of it, and
// the request is `frozen` (PAYOUTS.AMOUNT_ABOVE_AVAILABLE) until more is available: an explained
// state, not a lost payout. The test now lets the reversals settle before the sellers ask.
import { freePort } from '@app/database';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { ACCOUNT_THIN_EVENT_TYPES } from '../apps/marketplace/src/onboarding/seller-account-thin-events.handler.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, getOrder, payOnHostedPage } from './support/checkout.js';
import { runNode, stopProcess, waitFor, waitForReady, type RunningProcess } from './support/process.js';
import { described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { startRoundRobinProcess, startSandboxProcess, type RoundRobinProcess, type SandboxProcess } from './support/service-processes.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { createTestDatabase } from './support/test-database.js';
import { CONNECT_SECRET, EVENTS_SECRET, PLATFORM_SECRET, STRIPE_TEST_KEY, TEST_SETTINGS, type TestApp } from './support/test-app.js';
import { expectWithinBudget, refundOrder } from './support/transfers.js';

const MAIN = 'dist/apps/marketplace/src/main.js';
const ORDERS = Number(process.env.MULTI_INSTANCE_ORDERS ?? 24);
const IN_FLIGHT = 8; // orders checked out and paid at once
// how long a step may take: a request held while the books lag behind Stripe under load goes to review once they agree
const STEP_MS = 60_000 + ORDERS * 1_000;
const SELLERS = 4;
// the one budget every instance is configured with and shares through PostgreSQL (libs/stripe's request budget).
// A slack of 100 ms (slots 1100/30 ms apart, 91% of the budget usable) keeps the schedule's margin above
// the lateness of a loaded machine's senders and of the sandbox's stamps (see the header).
const BUDGET = { STRIPE_REQUESTS_PER_SECOND: '30', STRIPE_TRANSFERS_PER_SECOND: '15', STRIPE_PAYOUTS_PER_SECOND: '15', STRIPE_REQUEST_BUDGET_SLACK_MS: '100' };

let databaseUrl: string;
let sandbox: SandboxProcess;
let balancer: RoundRobinProcess;
let sql: SqlClient;
let t: TestApp;
const procs: RunningProcess[] = [];

/** The settings of every process: the tests' own (fast polls), reviewed payouts, the shared budget, logs at warn. */
function instanceEnv(role: 'api' | 'worker', name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...TEST_SETTINGS,
    ...BUDGET,
    ROLE: role,
    INSTANCE_NAME: name,
    DATABASE_URL: databaseUrl,
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'warn',
    STRIPE_API_BASE: sandbox.url,
    PUBLIC_URL: balancer.url,
    PAYOUT_MODE: 'reviewed',
    PAYOUT_MINIMUM: '100',
    PAYOUT_SCHEDULE_POLL_MS: '500',
    PAYOUT_EXECUTION_POLL_MS: '100',
    TRANSFERS_WORKER_POLL_MS: '100',
    TRANSFERS_RETRY_BASE_MS: '200',
    ...extra,
  };
}

async function adminKey(): Promise<string> {
  const cli = runNode('dist/apps/marketplace/src/cli/admin-key.js', { ...TEST_SETTINGS, DATABASE_URL: databaseUrl, MIGRATIONS_RUN: 'false', STRIPE_API_BASE: sandbox.url });
  if ((await cli.exited) !== 0) throw new Error(`admin-key failed: ${cli.output()}`);
  return /mkt_\S+/.exec(cli.output())![0];
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const apiPorts = [await freePort(), await freePort()];
  // the balancer and the sandbox in processes of their own: this process's load (the clients) never delays what they pass on or when the sandbox stamps an arrival
  balancer = await startRoundRobinProcess(apiPorts.map((p) => `http://127.0.0.1:${p}`));
  sandbox = await startSandboxProcess({
    webhookEndpoints: [
      { url: `${balancer.url}/webhooks/stripe`, secret: PLATFORM_SECRET, connect: false },
      { url: `${balancer.url}/webhooks/stripe/connect`, secret: CONNECT_SECRET, connect: true },
    ],
    eventDestinations: [{ url: `${balancer.url}/webhooks/stripe/events`, secret: EVENTS_SECRET, enabledEvents: [...ACCOUNT_THIN_EVENT_TYPES] }],
    // Stripe's servers are not slowed by a busy client machine: the sandbox is scheduled ahead of the load where the test may set that
    priority: -10,
  });
  const apis = apiPorts.map((port, i) => runNode(MAIN, instanceEnv('api', `api-${i + 1}`, { PORT: String(port) })));
  const workers = [1, 2].map((i) => runNode(MAIN, instanceEnv('worker', `worker-${i}`)));
  procs.push(...apis, ...workers);
  try {
    for (const port of apiPorts) await waitForReady(`http://127.0.0.1:${port}`, 60_000);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${apis.map((p) => p.output()).join('\n')}`);
  }
  sql = sqlClient(databaseUrl);
  const sandboxUrl = new URL(sandbox.url);
  // what the shared test helpers read: the balancer's address for HTTP, the sandbox, an admin key (no in-process app)
  t = {
    http: request(balancer.url),
    baseUrl: balancer.url,
    databaseUrl,
    adminKey: await adminKey(),
    // what the shared helpers call on it: control.advance (queued: a later control call comes after it) and control.webhooksIdle
    sandbox: sandbox as unknown as RunningSandbox,
    stripe: new Stripe(STRIPE_TEST_KEY, { host: sandboxUrl.hostname, port: sandboxUrl.port, protocol: 'http', maxNetworkRetries: 0 }),
    get app(): never {
      throw new Error('no in-process app here: four processes serve this test');
    },
    close: async () => undefined,
  } as TestApp;
}, 120_000);

afterAll(async () => {
  for (const p of procs) await stopProcess(p);
  await sql?.end();
  await sandbox?.close();
  await balancer?.close();
});

/** `count` calls of `one`, `IN_FLIGHT` at once. */
async function inFlight<T>(count: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await one(i);
      }
    }),
  );
  return out;
}

interface Shop {
  sellers: ActiveSeller[];
  listings: string[];
  buyers: PrincipalWithKey[];
}

/** Order `i` of a wave: every fourth a two-seller cart, the others one seller's item; paid on the hosted page, then paid in our books. */
async function paidOrderOf(shop: Shop, i: number): Promise<{ id: string; multi: boolean }> {
  const multi = i % 4 === 0;
  const first = i % SELLERS;
  const items = (multi ? [first, (first + 1) % SELLERS] : [first]).map((s) => ({ listingId: shop.listings[s]!, quantity: 1 + (i % 2) }));
  const res = await checkout(t, shop.buyers[i % shop.buyers.length]!, items);
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
  if ((await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')) !== 303) throw new Error('hosted checkout did not pay');
  const id = res.body.orderId as string;
  // webhooks are worked under the shared budget beside everything else: allow more than a lone test's wait
  await waitFor(async () => ((await getOrder(t, id)).status === 'paid' ? true : undefined), 60_000, `order ${id} paid`);
  return { id, multi };
}

const rowCount = async (query: string) => (await sql.one<{ n: number }>(`SELECT count(*)::int AS n FROM (${query}) q`)).n;

/** The test's failure with the last of every process's log beside it. */
async function withProcessLogs(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const logs = procs.map((p, i) => `--- process ${i + 1} ---\n${p.output().slice(-3_000)}`).join('\n');
    (error as Error).message += `\n${logs}`;
    throw error;
  }
}

it(
  `two api and two worker processes under load: each Stripe object made once, the books balanced and matching Stripe, reconciliation clean, never over the shared budget`,
  () =>
    withProcessLogs(async () => {
      const started = Date.now();
      await sandbox.control.resetRequestStats();
      const sellers: ActiveSeller[] = [];
      for (let s = 0; s < SELLERS; s++) sellers.push(await createActiveSeller(t, `Instance seller ${s + 1}`));
      const shop: Shop = {
        sellers,
        listings: await Promise.all(sellers.map((s, i) => createListing(t, s, { unitAmount: 1_500 + 500 * i, title: `Item ${i + 1}` }))),
        buyers: [await createPrincipal(t, 'buyer'), await createPrincipal(t, 'buyer'), await createPrincipal(t, 'buyer')],
      };
      const secondAdmin = await createPrincipal(t, 'admin');

      // wave 1: checkouts and their webhooks, the workers sending transfers meanwhile; two refunds as soon as their orders are paid
      const wave1 = await inFlight(ORDERS, (i) => paidOrderOf(shop, i));
      const single = wave1.find((o) => !o.multi)!;
      const multi = wave1.find((o) => o.multi)!;
      const refunds = await Promise.all([refundOrder(t, single.id, { amount: '500' }), refundOrder(t, multi.id, { full: true })]);
      for (const r of refunds) expect(r.status).toBe(201);

      // funds available; each seller asks for a payout of what is available while wave 2 of checkouts runs
      await sandbox.control.advance(3 * 86_400);
      await sandbox.control.webhooksIdle();
      // the refunds' transfer reversals waited for the sellers' funds: settled before anyone asks for
      // what is available (one made after a request for the whole balance would leave it frozen, waiting for more)
      await waitFor(
        async () => ((await rowCount(`SELECT 1 FROM transfer_reversals WHERE status IN ('planned', 'pending', 'submitting')`)) === 0 ? true : undefined),
        STEP_MS,
        'every transfer reversal settled',
      );
      const askForPayout = async (seller: ActiveSeller): Promise<string> => {
        // NOTHING_AVAILABLE until the ledger and Stripe have made this seller's funds available; each ask reads
        // the seller's balance at Stripe (under the budget), so once a second
        let asked = await t.http.post('/sellers/me/payouts').set(bearer(seller.key)).set('Idempotency-Key', randomUUID()).send({ currency: 'usd' });
        for (let tries = 1; asked.status !== 201 && tries < 30; tries++) {
          await new Promise((r) => setTimeout(r, 1_000));
          asked = await t.http.post('/sellers/me/payouts').set(bearer(seller.key)).set('Idempotency-Key', randomUUID()).send({ currency: 'usd' });
        }
        expect(asked.status).toBe(201);
        const id = asked.body.id as string;
        await waitFor(async () => ((await t.http.get(`/admin/payouts/${id}`).set(bearer(t.adminKey))).body.status === 'pending_review' ? true : undefined), STEP_MS, `request ${id} in review`);
        // above PAYOUT_TWO_PERSON_THRESHOLD (a bigger run's sellers) it takes a second admin
        for (const key of [t.adminKey, secondAdmin.key]) {
          const approved = await t.http
            .post(`/admin/payouts/${id}/approve`)
            .set(bearer(key))
            .set('Idempotency-Key', `approve-${id}-${key.slice(-6)}`)
            .send({});
          expect(approved.status).toBe(200);
          if (approved.body.status === 'approved') return id;
        }
        throw new Error(`request ${id} not approved by two admins`);
      };
      const [wave2, payoutRequests] = await Promise.all([inFlight(Math.ceil(ORDERS / 2), (i) => paidOrderOf(shop, ORDERS + i)), Promise.all(sellers.map(askForPayout))]);

      // every approved request's payout made at Stripe (its arrival date is set from the clock then), then past its arrival: paid
      await waitFor(
        async () =>
          (await rowCount(`SELECT 1 FROM payout_attempts WHERE stripe_payout_id IS NOT NULL AND status = 'created' AND request_id = ANY('{${payoutRequests.join(',')}}')`)) === SELLERS
            ? true
            : undefined,
        STEP_MS,
        'every payout created at Stripe',
      ).catch(async (error: Error) => {
        // what each request waits for, in its own words, beside the timeout
        const rows = await sql.query(`SELECT status, status_code, status_reason FROM payout_requests ORDER BY created_at`);
        throw new Error(`${error.message}; requests: ${JSON.stringify(rows)}`);
      });
      await sandbox.control.advance(3 * 86_400);
      await sandbox.control.webhooksIdle();
      await waitFor(async () => ((await rowCount(`SELECT 1 FROM payout_requests WHERE status = 'paid'`)) === SELLERS ? true : undefined), STEP_MS, 'every payout request paid');
      await waitFor(async () => ((await rowCount(`SELECT 1 FROM transfers WHERE status IN ('pending', 'submitting')`)) === 0 ? true : undefined), STEP_MS, 'every transfer sent');
      await expectBooksMatchStripe(t, { timeoutMs: STEP_MS });
      const run = await reconcile(t);
      expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
      expect(run).toMatchObject({ status: 'completed', error: null });
      const loadSeconds = (Date.now() - started) / 1000;

      // what the sandbox received, read before the test's own SDK reads below add to it
      const window = Math.min(600, Math.ceil(loadSeconds) + 5);
      const total = await sandbox.control.requestStats({ key: 'total', windowSeconds: window });
      const transfersAt = await sandbox.control.requestStats({ key: 'POST /v1/transfers', windowSeconds: window });
      const payoutsAt = await sandbox.control.requestStats({ key: 'POST /v1/payouts', windowSeconds: window });
      const operations = total.keys.filter((key) => key.includes(' '));
      const byOperation = (await Promise.all(operations.map(async (key) => [key, (await sandbox.control.requestStats({ key, windowSeconds: window })).total] as const)))
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ');
      const served = await balancer.served();
      // a request the budget sent on a late slot (slots kept arriving late: a loaded process or database) is logged by its process at warn
      const sentLate = procs
        .flatMap((p) => p.output().match(/\{[^\n]*stripe request slots keep arriving late[^\n]*\}/g) ?? [])
        .map((line) => {
          const { time, lateMs } = JSON.parse(line) as { time: string; lateMs: number };
          return `${time} (${lateMs} ms late)`;
        });
      console.log(
        `multi-instance: ${wave1.length + wave2.length} orders (${[...wave1, ...wave2].filter((o) => o.multi).length} two-seller), 2 refunds, ${SELLERS} payouts in ${loadSeconds.toFixed(1)} s; ` +
          `balancer served api-1 ${served[0]} / api-2 ${served[1]}; late-slot warnings (a process logs its 1st, 101st, ...): ${sentLate.join(', ') || 'none'}; at Stripe ${total.total} requests, max ${total.max_per_second} in a calendar second, ${total.max_in_any_second} in any second (from ${new Date(total.max_in_any_second_at ?? 0).toISOString()}; budget ${BUDGET.STRIPE_REQUESTS_PER_SECOND}); ` +
          `the sandbox (nice ${sandbox.priority}): event-loop delay p99 ${total.event_loop_delay_ms?.p99} / max ${total.event_loop_delay_ms?.max} ms, its handling p99 ${total.handling_ms.p99} / max ${total.handling_ms.max} ms; ` +
          `POST /v1/transfers ${transfersAt.total} (max ${transfersAt.max_per_second} / ${transfersAt.max_in_any_second}, budget ${BUDGET.STRIPE_TRANSFERS_PER_SECOND}); per second: ${total.series.map((s) => s.count).join(' ')}; most asked: ${byOperation}`,
      );
      expectWithinBudget(total, Number(BUDGET.STRIPE_REQUESTS_PER_SECOND));
      expectWithinBudget(transfersAt, Number(BUDGET.STRIPE_TRANSFERS_PER_SECOND));
      expectWithinBudget(payoutsAt, Number(BUDGET.STRIPE_PAYOUTS_PER_SECOND));
      // both api processes answered a real share of the requests and the webhooks
      for (const n of served) expect(n).toBeGreaterThan(0.3 * (served[0]! + served[1]!));

      // each idempotent operation made one Stripe object, counted by the metadata we gave it
      const once = (ids: string[], expected: string[]) => {
        const counts = new Map<string, number>();
        for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        expect(new Set(counts.keys())).toEqual(new Set(expected));
      };
      const ourIds = async (query: string) => (await sql.query<{ id: string }>(query)).map((r) => r.id);
      const stripeTransfers: string[] = [];
      for await (const tr of t.stripe.transfers.list({ limit: 100 })) if (tr.metadata.transfer_id) stripeTransfers.push(tr.metadata.transfer_id);
      once(stripeTransfers, await ourIds(`SELECT id FROM transfers WHERE stripe_transfer_id IS NOT NULL`));
      const stripeRefunds: string[] = [];
      for await (const r of t.stripe.refunds.list({ limit: 100 })) if (r.metadata?.refund_id) stripeRefunds.push(r.metadata.refund_id);
      once(stripeRefunds, await ourIds(`SELECT id FROM refunds`));
      const stripePayouts: string[] = [];
      for (const s of sellers)
        for await (const p of t.stripe.payouts.list({ limit: 100 }, { stripeAccount: s.account })) if (p.metadata?.payout_request_id) stripePayouts.push(p.metadata.payout_request_id);
      once(stripePayouts, payoutRequests);
      const sessions: string[] = [];
      for await (const cs of t.stripe.checkout.sessions.list({ limit: 100 })) if (cs.metadata?.order_id) sessions.push(cs.metadata.order_id);
      once(
        sessions,
        [...wave1, ...wave2].map((o) => o.id),
      );
      const transferRows = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM transfers`);
      expect(transferRows[0]!.n).toBeGreaterThanOrEqual(2 * [...wave1, ...wave2].filter((o) => o.multi).length);

      // the ledger: every entry balanced per currency, the trial balance zero
      expect(await sql.query(`SELECT entry_id, currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY 1, 2 HAVING sum(amount) <> 0`)).toEqual([]);
      expect(await sql.query(`SELECT currency, sum(amount)::text AS sum FROM ledger_lines GROUP BY 1 HAVING sum(amount) <> 0`)).toEqual([]);
      expect(await rowCount(`SELECT 1 FROM ledger_lines`)).toBeGreaterThan(0);

      // every row in a terminal state
      const statuses = async (table: string) =>
        (await sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`)).map((r) => `${r.status} ${r.n}`);
      const orderCount = wave1.length + wave2.length;
      expect(await statuses('orders')).toEqual(expect.arrayContaining([expect.stringMatching(/^paid \d+$/)]));
      expect(await rowCount(`SELECT 1 FROM orders`)).toBe(orderCount);
      expect(await rowCount(`SELECT 1 FROM orders WHERE status IN ('paid', 'partially_refunded', 'refunded')`)).toBe(orderCount);
      expect(await statuses('refunds')).toEqual(['succeeded 2']);
      expect((await statuses('transfers')).filter((s) => !/^(succeeded|canceled) /.test(s))).toEqual([]);
      // canceled only where the full refund came before its transfers were sent
      expect(await rowCount(`SELECT 1 FROM transfers WHERE status = 'canceled' AND order_id <> '${multi.id}'`)).toBe(0);
      expect((await statuses('transfer_reversals')).filter((s) => !/^(succeeded|debt) /.test(s))).toEqual([]);
      expect(await statuses('payout_requests')).toEqual([`paid ${SELLERS}`]);
      expect((await statuses('payout_attempts')).filter((s) => !/^paid /.test(s))).toEqual([]);
      // events delivered last (the payouts' own) may still be in a worker's hands under load (a run at load 20 read 'processing 9'): they end processed or ignored
      const unfinishedEvents = async () => (await statuses('webhook_events')).filter((s) => !/^(processed|ignored) /.test(s));
      await waitFor(async () => ((await unfinishedEvents()).length === 0 ? true : undefined), STEP_MS, 'every webhook event processed or ignored').catch(async (error: Error) => {
        throw new Error(`${error.message}: ${(await unfinishedEvents()).join(', ')}`);
      });
    }),
  300_000,
);
