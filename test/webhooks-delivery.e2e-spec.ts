// The inbox under the sandbox's delivery faults, with two competing workers, and the gateway's retries.
import type { INestApplicationContext } from '@nestjs/common';
import { idempotencyKey, StripeGateway } from '@app/stripe';
import { randomUUID } from 'node:crypto';
import { FIXTURE_TABLES, WebhookFixturesModule } from './fixtures/webhook-fixtures.module.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, startTestWorker, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

interface ControlBody {
  now: number;
  data: Array<{ event: string; status: number | null }>;
}

const control = (t: TestApp, path: string, body?: unknown): Promise<ControlBody> =>
  fetch(`${t.sandbox.url}/_sandbox${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (r) => {
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as ControlBody;
  });

async function connectedAccount(t: TestApp, sql: SqlClient): Promise<string> {
  const account = await t.stripe.accounts.create({
    country: 'US',
    controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, stripe_dashboard: { type: 'express' }, requirement_collection: 'stripe' },
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
  });
  await sql.query('INSERT INTO fixture_known_accounts (account) VALUES ($1)', [account.id]);
  return account.id;
}

async function settled(t: TestApp, sql: SqlClient, ids: string[]): Promise<void> {
  await control(t, '/webhooks/idle');
  await waitFor(
    async () => {
      const open = await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1) AND status NOT IN ('processed', 'ignored')`, [ids]);
      const stored = await sql.one<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1)', [ids]);
      return open.n === '0' && Number(stored.n) === ids.length ? true : undefined;
    },
    60_000,
    'every event stored and worked',
  );
}

async function accountUpdatedIds(t: TestApp, account: string, since: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of t.stripe.events.list({ created: { gte: since }, limit: 100 }, { stripeAccount: account })) {
    if (e.type === 'account.updated') ids.push(e.id);
  }
  return ids;
}

describe('webhook delivery faults, backfill and competing workers', () => {
  let t: TestApp;
  let sql: SqlClient;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    sql = sqlClient(databaseUrl);
    await sql.query(FIXTURE_TABLES);
    t = await startTestApp({ databaseUrl, imports: [WebhookFixturesModule], env: { WEBHOOK_CONCURRENCY: '8' } });
  });
  afterAll(async () => {
    await t?.close();
    await sql?.end();
  });
  afterEach(async () => {
    await control(t, '/webhooks/faults', { duplicate: 1, shuffle: false, outage: false });
    await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  });

  it('1,000 events delivered twice each and shuffled end in the same state as in-order delivery', async () => {
    const inOrder = await connectedAccount(t, sql);
    const faulty = await connectedAccount(t, sql);
    const since = (await control(t, '/clock')).now;

    // reference: in-order, exactly-once delivery
    for (let seq = 1; seq <= 1000; seq++) await t.stripe.accounts.update(inOrder, { metadata: { seq: String(seq) } });
    const inOrderIds = await accountUpdatedIds(t, inOrder, since);
    await settled(t, sql, inOrderIds);

    // the same 1,000 changes with each event delivered twice, in shuffled order
    await control(t, '/webhooks/faults', { duplicate: 2, shuffle: true });
    for (let seq = 1; seq <= 1000; seq++) await t.stripe.accounts.update(faulty, { metadata: { seq: String(seq) } });
    const faultyIds = await accountUpdatedIds(t, faulty, since);
    expect(faultyIds.length).toBeGreaterThanOrEqual(1000);
    await settled(t, sql, faultyIds);

    const deliveries = (await control(t, '/webhooks/deliveries')).data;
    const faultySet = new Set(faultyIds);
    expect(deliveries.filter((d) => faultySet.has(d.event)).length).toBeGreaterThanOrEqual(2 * faultyIds.length);

    const state = await sql.query<{ account: string; seq: number; applied: number }>('SELECT account, seq, applied FROM fixture_account_state WHERE account = ANY($1) ORDER BY seq', [
      [inOrder, faulty],
    ]);
    expect(state.find((s) => s.account === inOrder)!.seq).toBe(1000);
    expect(state.find((s) => s.account === faulty)!.seq).toBe(state.find((s) => s.account === inOrder)!.seq);
    // each distinct event applied exactly once despite the duplicates
    expect(state.find((s) => s.account === faulty)!.applied).toBe(faultyIds.length);
    const rows = await sql.one<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE account = $1', [faulty]);
    expect(Number(rows.n)).toBe(faultyIds.length);
  }, 120_000);

  it('an outage withholds deliveries; the backfill brings every event in, each processed once; late deliveries are duplicates', async () => {
    const account = await connectedAccount(t, sql);
    const from = new Date((await control(t, '/clock')).now * 1000);
    await control(t, '/webhooks/faults', { outage: true });
    for (let seq = 1; seq <= 30; seq++) await t.stripe.accounts.update(account, { metadata: { seq: String(seq) } });
    for (let i = 0; i < 5; i++) {
      await t.stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    }
    const accountIds = await accountUpdatedIds(t, account, Math.floor(from.getTime() / 1000));
    const platformIds: string[] = [];
    for await (const e of t.stripe.events.list({ created: { gte: Math.floor(from.getTime() / 1000) }, limit: 100 })) platformIds.push(e.id);
    expect(accountIds.length).toBe(30);
    expect(platformIds.length).toBeGreaterThan(5);
    const all = [...accountIds, ...platformIds];
    expect((await sql.one<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1)', [all])).n).toBe('0');

    const to = new Date((await control(t, '/clock')).now * 1000 + 1000);
    const res = await t.http.post('/admin/webhook-events/backfill').set('Authorization', `Bearer ${t.adminKey}`).send({ from: from.toISOString(), to: to.toISOString() }).expect(200);
    expect(res.body.inserted).toBeGreaterThanOrEqual(all.length);
    await waitFor(
      async () =>
        (await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1) AND status IN ('processed', 'ignored') AND source = 'backfill'`, [all])).n === String(all.length)
          ? true
          : undefined,
      30_000,
      'backfilled events worked',
    );
    const state = await sql.one<{ seq: number; applied: number }>('SELECT seq, applied FROM fixture_account_state WHERE account = $1', [account]);
    expect(state).toEqual({ seq: 30, applied: 30 });

    // the withheld deliveries arrive after all: acknowledged, nothing applied again
    await control(t, '/webhooks/release', {});
    await settled(t, sql, all);
    expect(await sql.one('SELECT seq, applied FROM fixture_account_state WHERE account = $1', [account])).toEqual({ seq: 30, applied: 30 });
    expect(await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE id = ANY($1) AND source = 'backfill'`, [all])).toEqual({ n: String(all.length) });
    const deliveries = (await control(t, '/webhooks/deliveries')).data;
    const late = deliveries.filter((d) => accountIds.includes(d.event));
    expect(late.length).toBe(30);
    expect(late.every((d) => d.status === 200)).toBe(true);
  }, 60_000);

  it('two worker instances on separate connection pools work 5,000 events; none is handled twice', async () => {
    const api = await startTestApp({ databaseUrl: t.databaseUrl, sandbox: t.sandbox, imports: [WebhookFixturesModule], env: { ROLE: 'api' } });
    const workers: INestApplicationContext[] = [];
    try {
      const batch = `b${randomUUID().slice(0, 8)}`;
      await sql.query(
        `INSERT INTO webhook_events (id, endpoint, type, livemode, created, payload, status, next_attempt_at)
         SELECT 'evt_${batch}_' || g, 'platform', 'fixture.ping', false, now(), jsonb_build_object('id', 'evt_${batch}_' || g), 'pending', now()
           FROM generate_series(1, 5000) g`,
      );
      for (const name of ['worker-a', 'worker-b']) {
        workers.push(
          await startTestWorker({
            databaseUrl: t.databaseUrl,
            sandboxUrl: t.sandbox.url,
            imports: [WebhookFixturesModule],
            env: { INSTANCE_NAME: name, WEBHOOK_BATCH_SIZE: '25', WEBHOOK_CONCURRENCY: '4' },
          }),
        );
      }
      await waitFor(
        async () => ((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE id LIKE $1 AND status = 'processed'`, [`evt_${batch}_%`])).n === '5000' ? true : undefined),
        60_000,
        '5,000 events processed',
      );
      const effects = await sql.one<{ total: string; distinct: string }>(`SELECT count(*) AS total, count(DISTINCT event_id) AS distinct FROM fixture_effects WHERE event_id LIKE $1`, [
        `evt_${batch}_%`,
      ]);
      expect(effects).toEqual({ total: '5000', distinct: '5000' });
      const byWorker = await sql.query<{ handled_by: string; n: string }>(`SELECT handled_by, count(*) AS n FROM fixture_effects WHERE event_id LIKE $1 GROUP BY 1 ORDER BY 1`, [`evt_${batch}_%`]);
      // t's own worker loop also competes (ROLE=all); both dedicated workers did real work
      expect(byWorker.map((w) => w.handled_by)).toEqual(expect.arrayContaining(['marketplace:worker-a', 'marketplace:worker-b']));
      for (const w of byWorker.filter((x) => x.handled_by.includes('worker-'))) expect(Number(w.n)).toBeGreaterThan(100);
    } finally {
      for (const w of workers) await w.close();
      await api.close();
    }
  }, 90_000);

  describe('the gateway', () => {
    const accountsFor = async (sellerId: string) => {
      const found: string[] = [];
      for await (const a of t.stripe.accounts.list({ limit: 100 })) if (a.metadata?.seller_id === sellerId) found.push(a.id);
      return found;
    };

    it('retries 429s and still creates exactly one object', async () => {
      await control(t, '/faults', { method: 'POST', path: '/v1/accounts', kind: 'rate_limit', count: 2 });
      const sellerId = randomUUID();
      const created = await t.app.get(StripeGateway).createConnectedAccount({ sellerId, email: null, country: 'US' }, idempotencyKey('account', sellerId));
      expect(await accountsFor(sellerId)).toEqual([created.id]);
    });

    it('retries a lost response with the same idempotency key and still creates exactly one object', async () => {
      await control(t, '/faults', { method: 'POST', path: '/v1/accounts', kind: 'lose_response', count: 2 });
      const sellerId = randomUUID();
      const created = await t.app.get(StripeGateway).createConnectedAccount({ sellerId, email: null, country: 'US' }, idempotencyKey('account', sellerId));
      expect(await accountsFor(sellerId)).toEqual([created.id]);
      // the first attempt did create it: the retry replayed the same account
      const faults = (await control(t, '/faults')).data;
      expect(faults).toEqual([]);
    });

    it('reports "outcome unknown" when the responses keep getting lost, and a later retry with the key finds the one object', async () => {
      await control(t, '/faults', { method: 'POST', path: '/v1/accounts', kind: 'lose_response', count: 10 });
      const sellerId = randomUUID();
      const gateway = t.app.get(StripeGateway);
      await expect(gateway.createConnectedAccount({ sellerId, email: null, country: 'US' }, idempotencyKey('account', sellerId))).rejects.toMatchObject({ code: 'STRIPE.OUTCOME_UNKNOWN' });
      await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
      const again = await gateway.createConnectedAccount({ sellerId, email: null, country: 'US' }, idempotencyKey('account', sellerId));
      expect(await accountsFor(sellerId)).toEqual([again.id]);
    });
  });
});
