// GET /metrics: Prometheus text, admin key only; after a checkout paid by webhook the series say so.
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { balanceCheck, expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { inboxSettled } from './support/inbox.js';
import { reconcile } from './support/reconciliation.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { testAppForFile } from './support/transfers.js';

const t = testAppForFile();
let sql: SqlClient;
beforeAll(() => {
  sql = sqlClient(t.databaseUrl);
});
afterAll(() => sql?.end());

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition format's sample lines, as Prometheus reads them. */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

async function scrape(): Promise<Sample[]> {
  const res = await t.http.get('/metrics').set(bearer(t.adminKey)).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(res.text);
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
};

describe('GET /metrics', () => {
  it('needs an admin key: 401 without one, 403 for a buyer or seller', async () => {
    expect((await t.http.get('/metrics').expect(401)).body.error.code).toBe('AUTH.MISSING_API_KEY');
    const buyer = await createPrincipal(t, 'buyer');
    expect((await t.http.get('/metrics').set(bearer(buyer.key)).expect(403)).body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
  });

  it('after a checkout paid by webhook: the checkout route in the latency histogram, the inbox, the rows by status, the Stripe budget and its 429s, reconciliation', async () => {
    const seller = await createActiveSeller(t);
    const listing = await createListing(t, seller, { unitAmount: 2_500 });
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), listing);
    await inboxSettled(t, sql);
    // one 429 from Stripe on the balance read: retried by the gateway, counted
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance', kind: 'rate_limit', count: 1 });
    await balanceCheck(t);
    const run = await reconcile(t);
    expect(run.status).toBe('completed');

    const samples = await scrape();
    // HTTP: by route pattern and status, never the raw URL
    expect(value(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/checkout', status: '201' })).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_count', { method: 'GET', route: '/orders/:id', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((s) => s.labels.route?.includes(order.id))).toBe(false);
    expect(value(samples, 'http_request_duration_seconds_count', { method: 'POST', route: '/webhooks/stripe', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'http_request_duration_seconds_sum', { method: 'POST', route: '/checkout', status: '201' })).toBeGreaterThan(0);

    // the inbox, as the database has it
    const [{ processed }] = await sql.query<{ processed: number }>(`SELECT count(*)::int AS processed FROM webhook_events WHERE status = 'processed'`);
    expect(processed).toBeGreaterThan(0);
    expect(value(samples, 'marketplace_webhook_inbox_events', { status: 'processed' })).toBe(processed);
    expect(value(samples, 'marketplace_webhook_inbox_events', { status: 'dead' })).toBe(0);
    expect(value(samples, 'marketplace_webhook_inbox_events', { status: 'quarantined' })).toBe(0);
    expect(value(samples, 'marketplace_webhook_inbox_events_oldest_waiting_age_seconds')).toBe(0);

    // rows by status, each known status present (0 when none)
    expect(value(samples, 'marketplace_refunds', { status: 'pending' })).toBe(0);
    expect(value(samples, 'marketplace_transfers', { status: 'pending' })).toBe(0);
    expect(value(samples, 'marketplace_payout_requests', { status: 'pending_review' })).toBe(0);
    expect(value(samples, 'marketplace_payout_attempts', { status: 'pending' })).toBe(0);
    expect(value(samples, 'marketplace_payout_requests_oldest_waiting_age_seconds')).toBe(0);

    // the Stripe request budget: requests sent through the global lane, the configured rate, the 429
    expect(value(samples, 'marketplace_stripe_requests_total', { lane: 'stripe' })).toBeGreaterThanOrEqual(3);
    expect(value(samples, 'marketplace_stripe_request_budget_per_second', { lane: 'stripe' })).toBe(1000);
    expect(value(samples, 'marketplace_stripe_request_budget_per_second', { lane: 'POST /v1/transfers' })).toBe(1000);
    expect(value(samples, 'marketplace_stripe_rate_limited_total')).toBe(1);

    // reconciliation: the run just completed, nothing open
    const [{ finished }] = await sql.query<{ finished: number }>(`SELECT extract(epoch FROM finished_at)::float8 AS finished FROM reconciliation_runs WHERE id = $1`, [run.id]);
    expect(value(samples, 'marketplace_reconciliation_last_completed_timestamp_seconds')).toBeCloseTo(finished, 3);
    expect(samples.filter((s) => s.name === 'marketplace_reconciliation_open_discrepancies')).toEqual([]);
    // the process's own series
    expect(value(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    await expectBooksMatchStripe(t);
  });

  it('an event waiting in the inbox (due in an hour) shows in the pending count and the oldest waiting age', async () => {
    await sql.query(
      `INSERT INTO webhook_events (id, endpoint, type, livemode, created, payload, status, received_at, next_attempt_at)
       VALUES ('evt_metrics_waiting', 'platform', 'fixture.metrics', false, now(), '{}', 'pending', now() - interval '90 seconds', now() + interval '1 hour')`,
    );
    const samples = await scrape();
    expect(value(samples, 'marketplace_webhook_inbox_events', { status: 'pending' })).toBe(1);
    expect(value(samples, 'marketplace_webhook_inbox_events_oldest_waiting_age_seconds')).toBeGreaterThanOrEqual(90);
    await sql.query(`DELETE FROM webhook_events WHERE id = 'evt_metrics_waiting'`);
  });
});
