import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('identity: API keys, roles and ownership', () => {
  let t: TestApp;
  let sellerA: PrincipalWithKey;
  let sellerB: PrincipalWithKey;
  let buyer: PrincipalWithKey;

  beforeAll(async () => {
    t = await startTestApp();
    sellerA = await createPrincipal(t, 'seller');
    sellerB = await createPrincipal(t, 'seller');
    buyer = await createPrincipal(t, 'buyer');
  });
  afterAll(() => t?.close());

  it('answers 401 with a code when no key is sent', async () => {
    const res = await t.http.get('/me').expect(401);
    expect(res.body.error.code).toBe('AUTH.MISSING_API_KEY');
    expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers 401 for a malformed Authorization header and for an unknown key', async () => {
    expect((await t.http.get('/me').set('Authorization', 'Basic abc').expect(401)).body.error.code).toBe('AUTH.MALFORMED_API_KEY');
    expect((await t.http.get('/me').set(bearer('mkt_short')).expect(401)).body.error.code).toBe('AUTH.INVALID_API_KEY');
    const unknown = `mkt_${'A'.repeat(43)}`;
    expect((await t.http.get('/me').set(bearer(unknown)).expect(401)).body.error.code).toBe('AUTH.INVALID_API_KEY');
  });

  it('binds a seller key to its principal', async () => {
    const me = await t.http.get('/me').set(bearer(sellerA.key)).expect(200);
    expect(me.body).toEqual(expect.objectContaining({ id: sellerA.id, role: 'seller', name: sellerA.name }));
  });

  it('answers 403 when a seller calls an admin route, and creates nothing', async () => {
    const res = await t.http.post('/admin/principals').set(bearer(sellerA.key)).send({ role: 'seller', name: 'sneaky' }).expect(403);
    expect(res.body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
    const all = await t.http.get('/admin/principals?limit=200').set(bearer(t.adminKey)).expect(200);
    expect(all.body.data.map((p: { name: string }) => p.name)).not.toContain('sneaky');
  });

  it('answers 400 with a code for an unknown body field, and creates nothing', async () => {
    const res = await t.http.post('/admin/principals').set(bearer(t.adminKey)).send({ role: 'buyer', name: 'extra', isAdmin: true }).expect(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 'UNKNOWN_FIELD', details: [expect.objectContaining({ field: 'isAdmin' })] }));
    const all = await t.http.get('/admin/principals?limit=200').set(bearer(t.adminKey)).expect(200);
    expect(all.body.data.map((p: { name: string }) => p.name)).not.toContain('extra');
  });

  it('answers 400 VALIDATION_FAILED for an invalid value', async () => {
    const res = await t.http.post('/admin/principals').set(bearer(t.adminKey)).send({ role: 'superuser', name: '' }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['name', 'role']);
  });

  it('answers 401 for a revoked key, while the principal other keys keep working', async () => {
    const second = await t.http.post(`/admin/principals/${buyer.id}/api-keys`).set(bearer(t.adminKey)).send({ label: 'second' }).expect(201);
    await t.http.get('/me').set(bearer(second.body.key)).expect(200);
    const revoked = await t.http.post(`/admin/api-keys/${second.body.id}/revoke`).set(bearer(t.adminKey)).expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await t.http.get('/me').set(bearer(second.body.key)).expect(401)).body.error.code).toBe('AUTH.INVALID_API_KEY');
    await t.http.get('/me').set(bearer(buyer.key)).expect(200);
    // revoking again keeps the first revocation time
    const again = await t.http.post(`/admin/api-keys/${second.body.id}/revoke`).set(bearer(t.adminKey)).expect(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('shows a key once and stores only its hash', async () => {
    const issued = await t.http.post(`/admin/principals/${sellerB.id}/api-keys`).set(bearer(t.adminKey)).send({}).expect(201);
    expect(issued.body.key).toMatch(/^mkt_[A-Za-z0-9_-]{43}$/);
    const listed = await t.http.get(`/admin/principals/${sellerB.id}/api-keys`).set(bearer(t.adminKey)).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    const rows = await client.query('SELECT key_hash, prefix FROM api_keys WHERE id = $1', [issued.body.id]);
    await client.end();
    expect(rows.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows.rows[0].key_hash).not.toContain(issued.body.key);
    expect(issued.body.key.startsWith(rows.rows[0].prefix)).toBe(true);
  });

  it('lets a principal read itself, answers 404 for another principal, and lets admins read anyone', async () => {
    await t.http.get(`/principals/${sellerA.id}`).set(bearer(sellerA.key)).expect(200);
    const other = await t.http.get(`/principals/${sellerA.id}`).set(bearer(sellerB.key)).expect(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    expect(JSON.stringify(other.body)).not.toContain(sellerA.name);
    // indistinguishable from an id that does not exist
    const missing = await t.http.get('/principals/00000000-0000-4000-8000-000000000000').set(bearer(sellerB.key)).expect(404);
    expect(missing.body.error.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(other.body.error.message.replace(/[0-9a-f-]{36}/, 'ID'));
    const asAdmin = await t.http.get(`/principals/${sellerA.id}`).set(bearer(t.adminKey)).expect(200);
    expect(asAdmin.body.name).toBe(sellerA.name);
  });

  it('answers 400 for a malformed id', async () => {
    const res = await t.http.get('/principals/not-a-uuid').set(bearer(t.adminKey)).expect(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
  });
});
