import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { IDEMPOTENCY_FIXTURE_TABLE, IdempotencyFixturesModule } from './fixtures/idempotency-fixtures.module.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

describe('Idempotency-Key on money-moving requests', () => {
  let t: TestApp;
  let sql: SqlClient;
  let buyer: PrincipalWithKey;
  let other: PrincipalWithKey;
  let n = 0;
  const key = () => `key-${process.pid}-${++n}`;
  const charges = async (principalId: string) => Number((await sql.one<{ n: string }>('SELECT count(*) AS n FROM fixture_charges WHERE principal_id = $1', [principalId])).n);
  const post = (p: PrincipalWithKey, k: string | null, body: object, path = '/fixture/charges') => {
    const req = t.http.post(path).set(bearer(p.key));
    if (k !== null) req.set('Idempotency-Key', k);
    return req.send(body);
  };

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    sql = sqlClient(databaseUrl);
    await sql.query(IDEMPOTENCY_FIXTURE_TABLE);
    t = await startTestApp({ databaseUrl, imports: [IdempotencyFixturesModule] });
    buyer = await createPrincipal(t, 'buyer');
    other = await createPrincipal(t, 'buyer');
  });
  afterAll(async () => {
    await t?.close();
    await sql?.end();
  });

  it('refuses a request without a key, and does nothing', async () => {
    const before = await charges(buyer.id);
    expect((await post(buyer, null, { amount: 100 }).expect(400)).body.error.code).toBe('IDEMPOTENCY.KEY_REQUIRED');
    expect(await charges(buyer.id)).toBe(before);
  });

  it('replays the stored response for the same key and body, without doing it again', async () => {
    const k = key();
    const first = await post(buyer, k, { amount: 100 }).expect(201);
    const again = await post(buyer, k, { amount: 100 }).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // key order in the body does not make it another request
    await post(buyer, k, JSON.parse('{"amount":100}')).expect(201);
    const rows = await sql.query('SELECT id FROM fixture_charges WHERE id = $1', [first.body.chargeId]);
    expect(rows).toHaveLength(1);
    expect(await charges(buyer.id)).toBe(1);
  });

  it('answers 422 for the same key with another body, and changes nothing', async () => {
    const k = key();
    await post(buyer, k, { amount: 100 }).expect(201);
    const before = await charges(buyer.id);
    expect((await post(buyer, k, { amount: 999 }).expect(422)).body.error.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect((await post(buyer, k, { amount: 100 }, '/fixture/captures').expect(422)).body.error.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect(await charges(buyer.id)).toBe(before);
  });

  it('lets one of 20 concurrent identical requests through; the rest get 409 or the replay', async () => {
    const k = key();
    const before = await charges(buyer.id);
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(buyer, k, { amount: 7 })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    expect(new Set(responses.filter((r) => r.status === 201).map((r) => r.body.chargeId)).size).toBe(1);
    expect(await charges(buyer.id)).toBe(before + 1);
  });

  it('scopes keys to the caller', async () => {
    const k = key();
    const a = await post(buyer, k, { amount: 5 }).expect(201);
    const b = await post(other, k, { amount: 5 }).expect(201);
    expect(a.body.chargeId).not.toBe(b.body.chargeId);
  });

  it('forgets the key when the request is refused, so a corrected retry can use it', async () => {
    const k = key();
    expect((await post(buyer, k, { amount: 5, fail: true }).expect(422)).body.error.code).toBe('FIXTURE.REFUSED');
    expect((await post(buyer, k, { amount: -1 }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await post(buyer, k, { amount: 5 }).expect(201);
  });

  it('stores a server-side failure (something may have happened) and replays it instead of doing it again', async () => {
    const k = key();
    const before = await charges(buyer.id);
    const first = await post(buyer, k, { amount: 9, providerDown: true }).expect(503);
    expect(first.body.error.code).toBe('FIXTURE.PROVIDER_DOWN');
    const again = await post(buyer, k, { amount: 9, providerDown: true }).expect(503);
    expect(again.body.error).toMatchObject({ code: 'FIXTURE.PROVIDER_DOWN', message: first.body.error.message });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await charges(buyer.id)).toBe(before + 1);
  });

  it('keeps the route status code on replays and expires keys after 24 hours', async () => {
    const k = key();
    await post(buyer, k, { amount: 3 }, '/fixture/captures').expect(200);
    await post(buyer, k, { amount: 3 }, '/fixture/captures').expect(200);
    const before = await charges(buyer.id);
    const k2 = key();
    await post(buyer, k2, { amount: 4 }).expect(201);
    await sql.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`, [k2]);
    await sql.query(`UPDATE fixture_charges SET created_at = created_at - interval '24 hours' WHERE idempotency_key = $1`, [k2]);
    const fresh = await post(buyer, k2, { amount: 4 }).expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(await charges(buyer.id)).toBe(before + 2);
  });

  it('takes over an in-flight claim abandoned by a dead process, and resumes the charge it recorded instead of charging again', async () => {
    const k = key();
    const first = await post(buyer, k, { amount: 8 }).expect(201);
    const before = await charges(buyer.id);
    // simulate a crash mid-request: the row stays in flight past its lease, no response stored
    await sql.query(`UPDATE idempotency_keys SET state = 'in_flight', locked_until = now() - interval '1 second', response_status = NULL, response_body = NULL WHERE key = $1`, [k]);
    const retried = await post(buyer, k, { amount: 8 }).expect(201);
    expect(retried.body).toEqual(first.body);
    expect(await charges(buyer.id)).toBe(before);
    expect(await sql.one(`SELECT state, response_status FROM idempotency_keys WHERE key = $1`, [k])).toEqual({ state: 'completed', response_status: 201 });

    // once the key is bound to its charge, a retry need not wait out the lease: it resumes at once
    await sql.query(`UPDATE idempotency_keys SET state = 'in_flight', locked_until = now() + interval '10 minutes', response_status = NULL, response_body = NULL WHERE key = $1`, [k]);
    expect((await post(buyer, k, { amount: 8 }).expect(201)).body).toEqual(first.body);
    expect(await charges(buyer.id)).toBe(before);
  });

  it('still answers 409 to a retry while the first request has recorded nothing', async () => {
    const k = key();
    const started = post(buyer, k, { amount: 6 }).then((r) => r);
    await new Promise((r) => setTimeout(r, 50)); // the first request is in its 150 ms, before its insert
    expect((await post(buyer, k, { amount: 6 }).expect(409)).body.error.code).toBe('IDEMPOTENCY.IN_FLIGHT');
    expect((await started).status).toBe(201);
  });

  it('stores a refusal that came after the request recorded its intent, instead of releasing the key', async () => {
    const k = key();
    const before = await charges(buyer.id);
    const first = await post(buyer, k, { amount: 2, refuseAfterRecording: true }).expect(409);
    expect(first.body.error.code).toBe('FIXTURE.REFUSED_AFTER_RECORDING');
    const again = await post(buyer, k, { amount: 2, refuseAfterRecording: true }).expect(409);
    expect(again.body.error).toMatchObject({ code: 'FIXTURE.REFUSED_AFTER_RECORDING', message: first.body.error.message });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await charges(buyer.id)).toBe(before + 1);
  });
});
