// A reconciliation run over a large seeded past, worked by the compiled service as its own process
// (ROLE=worker). For each size: a fresh database on a durable PostgreSQL (migrated), a fresh
// in-process sandbox, SELLERS sellers whose connected accounts the app knows (principals +
// seller_accounts rows by SQL), each given its share of `size` card charges paid out by size/100
// automatic payouts (the sandbox's seedBalanceHistory: no events), and the ledger booked to match
// by bulk SQL (each charge's cash, Stripe's fee and the seller's payable; each payout's entry and
// its ledger_payout_allocations), so a run should find nothing. Then a run is queued by SQL and
// timed from queued to completed; the worker's peak RSS (VmHWM, and VmRSS sampled every 200 ms)
// and every Stripe request the sandbox received during the run are recorded.
//
//   npm run build && node dist/bench/reconciliation.bench.js [sizes=10000,100000] [budget=1000]
//   BENCH_DATABASE_URL: a PostgreSQL server instead of a durable embedded one.
//   BENCH_SELLERS (10): sellers sharing the transactions; BENCH_IDLE_SELLERS (0): sellers with an empty account.
//   BENCH_WORKER_NODE_OPTIONS: NODE_OPTIONS of the worker (e.g. --max-old-space-size=128, to show what the run really holds).
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDatabase, withDatabase } from '@app/database';
import pg from 'pg';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { completeOnboarding } from './support/budget-drain.js';
import { startBenchPostgres } from './support/bench-postgres.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../apps/marketplace/src/main.js');
const KEY = 'sk_test_reconciliation_bench';
// BENCH_SELLERS share the transactions; BENCH_IDLE_SELLERS more have an account and nothing in it
const SELLERS = Number(process.env.BENCH_SELLERS ?? 10);
const IDLE_SELLERS = Number(process.env.BENCH_IDLE_SELLERS ?? 0);
const TXNS_PER_PAYOUT = 100;
const DAY = 86_400;

const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const budget = Number(process.argv[3] ?? 1000);

/** Stripe requests seen by the sandbox, per operation (ids as `*`), counted from its request log. */
class RequestCounter {
  total = 0;
  readonly byOperation = new Map<string, number>();
  private from = 0;
  first = 0;
  last = 0;

  line = (line: string): void => {
    const m = /^(GET|POST|DELETE) (\/v\d\/\S*) /.exec(line);
    if (!m) return;
    const op = `${m[1]} ${m[2]!.replace(/\/(?:[a-z]+_)[A-Za-z0-9_]*[A-Z0-9][A-Za-z0-9_]*/g, '/*')}`;
    const now = Date.now();
    if (this.total === 0) this.first = now;
    this.last = now;
    this.total++;
    this.byOperation.set(op, (this.byOperation.get(op) ?? 0) + 1);
  };

  reset(): void {
    this.total = 0;
    this.byOperation.clear();
    this.from = Date.now();
  }

  since(): number {
    return this.from;
  }
}

interface SeededSeller {
  sellerId: string;
  account: string;
  payouts: Array<{ id: string; txn: Stripe.BalanceTransaction; charges: Stripe.BalanceTransaction[] }>;
}

const sdk = (sandbox: RunningSandbox) => {
  const base = new URL(sandbox.url);
  return new Stripe(KEY, { host: base.hostname, port: Number(base.port), protocol: 'http', maxNetworkRetries: 0 });
};

async function onboardedAccount(stripe: Stripe, sandboxUrl: string): Promise<string> {
  const account = await stripe.accounts.create({ type: 'express', country: 'US', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
  await completeOnboarding(stripe, sandboxUrl, account.id);
  return account.id;
}

/** The sellers (rows the app reads) and their seeded past at the sandbox, read back payout by payout. */
async function seedSellers(db: pg.Pool, sandbox: RunningSandbox, size: number): Promise<SeededSeller[]> {
  const stripe = sdk(sandbox);
  const sellers: SeededSeller[] = [];
  for (let s = 0; s < SELLERS + IDLE_SELLERS; s++) {
    const transactions = s < SELLERS ? Math.floor(((s + 1) * size) / SELLERS) - Math.floor((s * size) / SELLERS) : 0;
    const account = await onboardedAccount(stripe, sandbox.url);
    const sellerId = randomUUID();
    await db.query(`INSERT INTO principals (id, role, name) VALUES ($1, 'seller', $2)`, [sellerId, `Bench seller ${s + 1}`]);
    await db.query(
      `INSERT INTO seller_accounts (seller_id, stripe_account_id, country, link_token, status, charges_enabled, payouts_enabled, details_submitted,
         card_payments_capability, transfers_capability, currently_due, eventually_due, past_due, pending_verification, payout_schedule_set_at)
       VALUES ($1, $2, 'US', $3, 'active', true, true, true, 'active', 'active', '{}', '{}', '{}', '{}', now())`,
      [sellerId, account, randomBytes(32).toString('hex')],
    );
    if (!transactions) continue;
    const seeded = sandbox.control.seedBalanceHistory({ account, transactions, payouts: Math.round(transactions / TXNS_PER_PAYOUT) });
    const payouts: SeededSeller['payouts'] = [];
    for (const id of seeded.payouts) {
      const carried: Stripe.BalanceTransaction[] = [];
      for await (const t of stripe.balanceTransactions.list({ payout: id, limit: 100 }, { stripeAccount: account })) carried.push(t);
      const txn = carried.find((t) => t.type === 'payout');
      if (!txn) throw new Error(`payout ${id} carries no payout transaction`);
      payouts.push({ id, txn, charges: carried.filter((t) => t.type === 'charge').reverse() });
    }
    sellers.push({ sellerId, account, payouts });
  }
  return sellers;
}

const at = (unix: number) => new Date(unix * 1000).toISOString();

/**
 * The ledger of one payout and the charges it carried, in one transaction (its lines join entries
 * made in the same transaction; each entry balances at commit): per charge its cash (net), Stripe's
 * fee (booked with the transaction, borne by the seller) and the seller's payable; the payout's own
 * entry (`payout:<po>`) and its allocations to the charges' cash lines.
 */
async function bookPayout(db: pg.Pool, seller: SeededSeller, payout: SeededSeller['payouts'][number]): Promise<number> {
  const entries: Array<[string, string, string, string, string, string]> = []; // id, kind, reference_type, reference_id, key, occurred_at
  const lines: Array<[string, string, string, string | null, bigint, string | null, string | null, string | null, string | null]> = []; // id, entry, account, seller, amount, object, txn, stripe account, available_on
  const allocations: Array<[string, string, bigint, number]> = []; // id, line, amount, position
  const cur = payout.txn.currency.toUpperCase();
  for (const t of payout.charges) {
    const entry = randomUUID();
    const ch = t.source as string;
    entries.push([entry, 'charge', 'charge', ch, `bench-charge:${ch}`, at(t.created)]);
    const cash = randomUUID();
    lines.push([cash, entry, 'connected_cash_available', seller.sellerId, BigInt(t.net), ch, t.id, seller.account, at(t.available_on)]);
    if (t.fee) {
      lines.push([randomUUID(), entry, 'stripe_processing_fees', null, BigInt(t.fee), ch, t.id, seller.account, null]);
      lines.push([randomUUID(), entry, 'stripe_processing_fees', null, -BigInt(t.fee), ch, null, null, null]);
    }
    lines.push([randomUUID(), entry, 'seller_payable_available', seller.sellerId, -BigInt(t.net), ch, t.id, seller.account, at(t.available_on)]);
    allocations.push([randomUUID(), cash, BigInt(t.net), allocations.length]);
  }
  const payoutEntry = randomUUID();
  entries.push([payoutEntry, 'seller_payout', 'payout', payout.id, `payout:${payout.id}`, at(payout.txn.created)]);
  lines.push([randomUUID(), payoutEntry, 'connected_cash_available', seller.sellerId, BigInt(payout.txn.net), payout.id, payout.txn.id, seller.account, at(payout.txn.available_on)]);
  lines.push([randomUUID(), payoutEntry, 'seller_payable_available', seller.sellerId, -BigInt(payout.txn.net), payout.id, payout.txn.id, seller.account, at(payout.txn.available_on)]);
  const col = <T extends unknown[]>(rows: T[], i: number) => rows.map((r) => (typeof r[i] === 'bigint' ? String(r[i]) : r[i]));
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ledger_entries (id, kind, reference_type, reference_id, idempotency_key, occurred_at)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
      [0, 1, 2, 3, 4, 5].map((i) => col(entries, i)),
    );
    await client.query(
      `INSERT INTO ledger_lines (id, entry_id, account, seller_id, currency, amount, stripe_object_id, stripe_balance_transaction_id, stripe_account, available_on)
       SELECT id, entry, account, seller, $10, amount, object, txn, stripe_account, available_on
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
           AS l(id, entry, account, seller, amount, object, txn, stripe_account, available_on)`,
      [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => col(lines, i)), cur],
    );
    await client.query(
      `INSERT INTO ledger_payout_allocations (id, entry_id, payout_entry_id, stripe_payout_id, seller_id, currency, line_id, amount, kind, position)
       SELECT id, $5, $5, $6, $7, $8, line, amount, 'allocated', position FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::int[]) AS a(id, line, amount, position)`,
      [...[0, 1, 2, 3].map((i) => col(allocations, i)), payoutEntry, payout.id, seller.sellerId, cur],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
  return lines.length;
}

function memoryOf(pid: number): { rssKb: number; hwmKb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

async function waitUntil(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The compiled service as a worker; resolves once it logged that it started. Its warnings and errors go to stderr. */
function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; started: Promise<void>; exited: Promise<unknown>; problems: string[] } {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ENV_FILE: 'off', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const problems: string[] = [];
  const exited = new Promise((r) => child.on('exit', r));
  const started = new Promise<void>((resolve, reject) => {
    let rest = '';
    child.stdout!.on('data', (d: Buffer) => {
      const text = rest + d.toString();
      const all = text.split('\n');
      rest = all.pop() ?? '';
      for (const line of all) {
        if (line.includes('"marketplace started"')) resolve();
        if (/"level":(40|50|60)/.test(line)) {
          problems.push(line.slice(0, 400));
          process.stderr.write(`worker: ${line.slice(0, 400)}\n`);
        }
      }
    });
    void exited.then(() => reject(new Error('the worker exited before it started')));
  });
  return { child, started, exited, problems };
}

async function stop(p: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

async function benchSize(serverUrl: string, size: number): Promise<Record<string, unknown>> {
  const database = `bench_reconciliation_${process.pid}_${size}`;
  await ensureDatabase(serverUrl, database);
  const databaseUrl = withDatabase(serverUrl, database);
  await runMigrations(databaseUrl);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  db.on('error', (error) => console.error('bench pool:', error.message)); // an idle connection dropped
  const requests = new RequestCounter();
  const sandbox = await startSandbox({ port: 0, log: requests.line });
  let worker: ReturnType<typeof startWorker> | null = null;
  try {
    const seedStarted = Date.now();
    const sellers = await seedSellers(db, sandbox, size);
    const seededAt = Date.now();
    const work = sellers.flatMap((seller) => seller.payouts.map((payout) => ({ seller, payout })));
    let next = 0;
    let lineCount = 0;
    await Promise.all(
      Array.from({ length: 3 }, async () => {
        while (next < work.length) {
          const { seller, payout } = work[next++]!;
          const booked = await bookPayout(db, seller, payout);
          lineCount += booked;
        }
      }),
    );
    await db.query('ANALYZE');
    const bookedAt = Date.now();
    const payouts = work.length;
    const charges = work.reduce((n, w) => n + w.payout.charges.length, 0);
    console.error(
      `size ${size}: ${SELLERS} sellers, ${charges} charges, ${payouts} payouts seeded and read back in ${((seededAt - seedStarted) / 1000).toFixed(1)} s; ${lineCount} ledger lines booked in ${((bookedAt - seededAt) / 1000).toFixed(1)} s`,
    );

    worker = startWorker({
      DATABASE_URL: databaseUrl,
      MIGRATIONS_RUN: 'false',
      ROLE: 'worker',
      INSTANCE_NAME: 'bench-reconciliation',
      LOG_LEVEL: 'info',
      ...(process.env.BENCH_WORKER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS } : {}),
      STRIPE_API_BASE: sandbox.url,
      STRIPE_SECRET_KEY: KEY,
      STRIPE_WEBHOOK_SECRETS: 'whsec_bench_platform',
      STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_bench_connect',
      WEBHOOK_BACKFILL_LOOKBACK_S: '0',
      STRIPE_REQUESTS_PER_SECOND: String(budget),
      RECONCILIATION_CRON: '0 0 1 1 *',
      RECONCILIATION_POLL_MS: '200',
    });
    await worker.started;
    // what the worker does on its own at boot (budget calibration, backfills) is not the run's
    await new Promise((r) => setTimeout(r, 2_000));
    const pid = worker.child.pid!;
    const idle = memoryOf(pid);
    const now = sandbox.control.now();
    const windowFrom = now - (Math.ceil(payouts / SELLERS) + 10) * DAY;
    requests.reset();
    const queuedAt = Date.now();
    let peakRssKb = idle.rssKb;
    let compared = 0;
    // when the polled cursor was first seen in each pass (ms after queued)
    const phases: Array<[string, number]> = [];
    // RSS against the transactions compared so far, every 5 s: flat memory shows as a flat series
    const series: Array<[number, number, number]> = [];
    let samples = 0;
    const sampler = setInterval(() => {
      try {
        const rss = memoryOf(pid).rssKb;
        peakRssKb = Math.max(peakRssKb, rss);
        if (samples++ % 25 === 0) series.push([Math.round((Date.now() - queuedAt) / 1000), Math.round(rss / 1024), compared]);
      } catch {
        // exited
      }
    }, 200);
    const [{ id: runId }] = (
      await db.query(`INSERT INTO reconciliation_runs (trigger, window_from, window_to, status) VALUES ('admin', to_timestamp($1), to_timestamp($2), 'queued') RETURNING id`, [windowFrom, now + 1])
    ).rows as [{ id: string }];
    let run: { status: string; counts: Record<string, number>; cursor: unknown; error: string | null; started_at: Date | null; finished_at: Date | null } | undefined;
    await waitUntil(
      'the run to finish',
      async () => {
        run = (await db.query(`SELECT status, counts, cursor, error, started_at, finished_at FROM reconciliation_runs WHERE id = $1`, [runId])).rows[0];
        compared = run?.counts.stripeTransactions ?? 0;
        const phase = (run?.cursor as { phase?: string } | undefined)?.phase ?? 'queued';
        if (phases.at(-1)?.[0] !== phase) phases.push([phase, Date.now() - queuedAt]);
        return run?.status === 'completed' || run?.status === 'failed';
      },
      3_600_000,
      200,
    );
    const seconds = (Date.now() - queuedAt) / 1000;
    clearInterval(sampler);
    const end = memoryOf(pid);
    peakRssKb = Math.max(peakRssKb, end.rssKb);
    const kinds = (
      await db.query(`SELECT d.kind, count(*)::int AS n FROM reconciliation_findings f JOIN reconciliation_discrepancies d ON d.id = f.discrepancy_id WHERE f.run_id = $1 GROUP BY 1 ORDER BY 1`, [
        runId,
      ])
    ).rows;
    const examples = (
      await db.query(
        `SELECT d.kind, d.summary FROM reconciliation_findings f JOIN reconciliation_discrepancies d ON d.id = f.discrepancy_id WHERE f.run_id = $1 ORDER BY d.kind, d.created_at LIMIT 5`,
        [runId],
      )
    ).rows;
    const runSeconds = run?.started_at && run.finished_at ? (run.finished_at.getTime() - run.started_at.getTime()) / 1000 : null;
    const stripeSeconds = requests.total ? (requests.last - requests.first) / 1000 : 0;
    return {
      size,
      sellers: SELLERS,
      idleSellers: IDLE_SELLERS,
      charges,
      payouts,
      budget,
      status: run?.status,
      error: run?.error ?? undefined,
      counts: run?.counts,
      discrepancies: Object.fromEntries(kinds.map((k: { kind: string; n: number }) => [k.kind, k.n])),
      discrepancyExamples: examples,
      wallSeconds: Number(seconds.toFixed(1)),
      runSeconds: runSeconds === null ? null : Number(runSeconds.toFixed(1)),
      transactionsPerSecond: Math.round((run?.counts.stripeTransactions ?? 0) / seconds),
      peakRssMb: Math.round(Math.max(peakRssKb, end.hwmKb) / 1024),
      vmHwmMb: Math.round(end.hwmKb / 1024),
      idleRssMb: Math.round(idle.rssKb / 1024),
      phaseSeconds: Object.fromEntries(phases.map(([p, ms], i) => [p, Number((((phases[i + 1]?.[1] ?? seconds * 1000) - ms) / 1000).toFixed(1))])),
      rssSeries: series.map(([s, mb, n]) => `${s}s:${mb}MB@${n}`).join(' '),
      stripeRequests: requests.total,
      stripeRequestsPerSecond: Number((requests.total / Math.max(stripeSeconds, 0.001)).toFixed(1)),
      byOperation: Object.fromEntries([...requests.byOperation.entries()].sort((a, b) => b[1] - a[1])),
      requestsPer100kTransactions: Math.round((requests.total * 100_000) / Math.max(1, run?.counts.stripeTransactions ?? 0)),
      workerProblems: worker.problems.length,
      loadAverage: os.loadavg()[0]!.toFixed(1),
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      node: process.version,
    };
  } finally {
    if (worker) await stop(worker);
    await db.end();
    await sandbox.close().catch((error: unknown) => console.error('sandbox close failed:', error));
  }
}

async function main(): Promise<void> {
  const bench = await startBenchPostgres(`bench_reconciliation_${process.pid}`);
  // the server's URL: each size gets a database of its own on it
  const serverUrl = withDatabase(bench.databaseUrl, 'postgres');
  const results: Array<Record<string, unknown>> = [];
  try {
    for (const size of sizes) {
      const result = await benchSize(serverUrl, size);
      results.push(result);
      console.log(JSON.stringify(result));
    }
    if (results.length >= 2) {
      const [small, big] = [results[0]!, results.at(-1)!];
      const ratio = (k: string) => Number(((big[k] as number) / (small[k] as number)).toFixed(2));
      console.log(JSON.stringify({ ratios: `${big.size} / ${small.size}`, size: ratio('size'), wallTime: ratio('wallSeconds'), peakRss: ratio('peakRssMb'), stripeRequests: ratio('stripeRequests') }));
    }
  } finally {
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
