import { WebhookFixturesModule, FIXTURE_TABLES } from './fixtures/webhook-fixtures.module.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { CONNECT_SECRET, PLATFORM_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';
import { deliver, eventJson, signature } from './support/webhooks.js';

const ROTATED_SECRET = 'whsec_test_platform_rotated';
let seq = 0;
const nextId = (prefix = 'evt_fx') => `${prefix}_${process.pid}_${++seq}`;

describe('webhook inbox', () => {
  let t: TestApp;
  let sql: SqlClient;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    sql = sqlClient(databaseUrl);
    await sql.query(FIXTURE_TABLES);
    t = await startTestApp({
      databaseUrl,
      imports: [WebhookFixturesModule],
      env: { STRIPE_WEBHOOK_SECRETS: `${PLATFORM_SECRET},${ROTATED_SECRET}`, WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_RETRY_BASE_MS: '100' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sql?.end();
  });

  const inboxCount = async (id: string) => Number((await sql.one<{ n: string }>('SELECT count(*) AS n FROM webhook_events WHERE id = $1', [id])).n);
  const effects = async (id: string) => Number((await sql.one<{ n: string }>('SELECT count(*) AS n FROM fixture_effects WHERE event_id = $1', [id])).n);
  const statusOf = async (id: string) => (await sql.one<{ status: string }>('SELECT status FROM webhook_events WHERE id = $1', [id])).status;

  describe('verification: a bad delivery is a 400 and stores nothing', () => {
    it.each([
      ['a signature made with the wrong secret', (p: string) => signature(p, 'whsec_not_ours')],
      ['the connect endpoint secret on the platform endpoint', (p: string) => signature(p, CONNECT_SECRET)],
      ['a timestamp older than 300 s', (p: string) => signature(p, PLATFORM_SECRET, Math.floor(Date.now() / 1000) - 301)],
      ['a garbage header', () => 't=abc,v1=def'],
    ])('%s', async (_name, header) => {
      const id = nextId();
      const payload = eventJson({ id, type: 'fixture.ping' });
      const res = await deliver(t, '/webhooks/stripe', payload, header(payload)).expect(400);
      expect(res.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
      expect(await inboxCount(id)).toBe(0);
    });

    it('a body changed by one byte', async () => {
      const id = nextId();
      const payload = eventJson({ id, type: 'fixture.ping' });
      const header = signature(payload, PLATFORM_SECRET);
      const tampered = payload.replace('"api_version":"2026-01-01"', '"api_version":"2026-01-02"');
      expect(tampered.length).toBe(payload.length);
      expect((await deliver(t, '/webhooks/stripe', tampered, header).expect(400)).body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
      expect(await inboxCount(id)).toBe(0);
    });

    it('a missing Stripe-Signature header', async () => {
      const id = nextId();
      expect((await deliver(t, '/webhooks/stripe', eventJson({ id, type: 'fixture.ping' })).expect(400)).body.error.code).toBe('WEBHOOK.MISSING_SIGNATURE');
      expect(await inboxCount(id)).toBe(0);
    });

    it('a live-mode event reaching a test-mode service', async () => {
      const id = nextId();
      const payload = eventJson({ id, type: 'fixture.ping', livemode: true });
      expect((await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(400)).body.error.code).toBe('WEBHOOK.LIVEMODE_MISMATCH');
      expect(await inboxCount(id)).toBe(0);
    });

    it('a body over 1 MiB', async () => {
      const id = nextId();
      const payload = eventJson({ id, type: 'fixture.ping', data: { id: 'obj', object: 'fixture', filler: 'x'.repeat(1024 * 1024) } });
      const res = await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(413);
      expect(res.body.error).toEqual({ code: 'WEBHOOK.TOO_LARGE', message: expect.any(String), requestId: res.headers['x-request-id'] });
      expect(await inboxCount(id)).toBe(0);
    });

    it('verifies events signed with either of two configured secrets (rotation)', async () => {
      for (const secret of [PLATFORM_SECRET, ROTATED_SECRET]) {
        const id = nextId();
        const payload = eventJson({ id, type: 'fixture.ping' });
        expect((await deliver(t, '/webhooks/stripe', payload, signature(payload, secret)).expect(200)).body).toEqual(expect.objectContaining({ received: true, id, duplicate: false }));
        await waitFor(async () => ((await effects(id)) === 1 ? true : undefined), 10_000, `${id} handled`);
      }
    });
  });

  it('stores an event delivered 10 times concurrently once, handles it once and answers every delivery 2xx', async () => {
    const id = nextId();
    const payload = eventJson({ id, type: 'fixture.ping' });
    const header = signature(payload, PLATFORM_SECRET);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliver(t, '/webhooks/stripe', payload, header)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(await inboxCount(id)).toBe(1);
    await waitFor(async () => ((await statusOf(id)) === 'processed' ? true : undefined), 10_000, `${id} processed`);
    // the handler's writes commit with the processed mark: one attempt, one effect
    expect(await sql.one('SELECT attempts FROM webhook_events WHERE id = $1', [id])).toEqual({ attempts: 1 });
    expect(await effects(id)).toBe(1);
  });

  it('marks an event with no handler as ignored', async () => {
    const id = nextId();
    const payload = eventJson({ id, type: 'fixture.nobody_listens' });
    await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
    await waitFor(async () => ((await statusOf(id)) === 'ignored' ? true : undefined), 10_000, `${id} ignored`);
  });

  it('quarantines a Connect event of an unknown account, and the admin can replay it once the account is known', async () => {
    const id = nextId();
    const payload = eventJson({ id, type: 'fixture.ping', account: 'acct_stranger' });
    const res = await deliver(t, '/webhooks/stripe/connect', payload, signature(payload, CONNECT_SECRET)).expect(200);
    expect(res.body.status).toBe('quarantined');
    // an event of a known account delivered after it is worked; the quarantined one is left alone
    const later = nextId();
    const laterPayload = eventJson({ id: later, type: 'fixture.ping' });
    await deliver(t, '/webhooks/stripe', laterPayload, signature(laterPayload, PLATFORM_SECRET)).expect(200);
    await waitFor(async () => ((await statusOf(later)) === 'processed' ? true : undefined), 10_000, `${later} processed`);
    expect(await sql.one('SELECT status, attempts FROM webhook_events WHERE id = $1', [id])).toEqual({ status: 'quarantined', attempts: 0 });
    expect(await effects(id)).toBe(0);
    const listed = await t.http.get('/admin/webhook-events?status=quarantined&account=acct_stranger').set('Authorization', `Bearer ${t.adminKey}`).expect(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toEqual([id]);

    await sql.query(`INSERT INTO fixture_known_accounts (account) VALUES ('acct_stranger')`);
    await t.http.post(`/admin/webhook-events/${id}/replay`).set('Authorization', `Bearer ${t.adminKey}`).expect(200);
    await waitFor(async () => ((await statusOf(id)) === 'processed' ? true : undefined), 10_000, `${id} processed`);
    expect(await effects(id)).toBe(1);
  });

  it('retries a failing handler with backoff, ends dead after N attempts, and a replay processes it once', async () => {
    await sql.query(`INSERT INTO fixture_switches (name, on_) VALUES ('flaky', true) ON CONFLICT (name) DO UPDATE SET on_ = true`);
    const id = nextId();
    const payload = eventJson({ id, type: 'fixture.flaky' });
    await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
    await waitFor(async () => ((await statusOf(id)) === 'dead' ? true : undefined), 15_000, `${id} dead`);
    const dead = await t.http.get(`/admin/webhook-events/${id}`).set('Authorization', `Bearer ${t.adminKey}`).expect(200);
    expect(dead.body).toEqual(expect.objectContaining({ status: 'dead', attempts: 3, lastError: expect.stringContaining('switched to fail') }));
    expect(dead.body.payload.id).toBe(id);
    expect(await effects(id)).toBe(0);

    await sql.query(`UPDATE fixture_switches SET on_ = false WHERE name = 'flaky'`);
    const replay = await t.http.post('/admin/webhook-events/replay').set('Authorization', `Bearer ${t.adminKey}`).send({ status: 'dead', type: 'fixture.flaky' }).expect(200);
    expect(replay.body.replayed).toBe(1);
    await waitFor(async () => ((await statusOf(id)) === 'processed' ? true : undefined), 10_000, `${id} processed`);
    expect(await effects(id)).toBe(1);
  });

  it('waits between attempts: three attempts take at least base + 2 x base (less jitter)', async () => {
    await sql.query(`UPDATE fixture_switches SET on_ = true WHERE name = 'flaky'`);
    const id = nextId();
    const payload = eventJson({ id, type: 'fixture.flaky' });
    const started = Date.now();
    await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
    await waitFor(async () => ((await statusOf(id)) === 'dead' ? true : undefined), 15_000, `${id} dead`);
    await sql.query(`UPDATE fixture_switches SET on_ = false WHERE name = 'flaky'`);
    // WEBHOOK_RETRY_BASE_MS=100: waits of ~100 ms and ~200 ms, each at least 80% of that
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(await sql.one('SELECT attempts, next_attempt_at FROM webhook_events WHERE id = $1', [id])).toEqual({ attempts: 3, next_attempt_at: null });
  });

  it('refuses bad admin input with codes', async () => {
    const auth = { Authorization: `Bearer ${t.adminKey}` };
    expect((await t.http.post('/admin/webhook-events/replay').set(auth).send({ status: 'pending' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.http.get('/admin/webhook-events/evt_missing').set(auth).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await t.http.post('/admin/webhook-events/backfill').set(auth).send({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }).expect(400)).body.error.code).toBe('WEBHOOKS.BAD_WINDOW');
  });
});
