import { startTestApp, type TestApp } from './support/test-app.js';

describe('HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('serves liveness and readiness without a key', async () => {
    expect((await t.http.get('/health').expect(200)).body).toEqual({ status: 'ok' });
    expect((await t.http.get('/health/ready').expect(200)).body).toEqual({ status: 'ready', database: 'ok', migrations: 'applied' });
  });

  it('echoes a caller X-Request-Id and generates one otherwise', async () => {
    const echoed = await t.http.get('/health').set('X-Request-Id', 'req-from-client-1').expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-from-client-1');
    const generated = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with the one error body', async () => {
    const res = await t.http.get('/no-such-route').set('X-Request-Id', 'r-404').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), requestId: 'r-404' } });
  });

  it('answers malformed JSON with a 400 and the error body', async () => {
    const res = await t.http.post('/admin/principals').set('Authorization', `Bearer ${t.adminKey}`).set('Content-Type', 'application/json').send('{"role":').expect(400);
    expect(res.body.error.code).toEqual(expect.any(String));
    expect(res.body.error.requestId).toEqual(expect.any(String));
  });

  it('serves the OpenAPI document generated from the DTOs', async () => {
    const doc = await t.http.get('/docs/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.paths['/admin/principals'].post).toBeDefined();
    expect(doc.body.components.schemas.CreatePrincipalDto.properties.role.enum).toEqual(['admin', 'seller', 'buyer']);
    const ui = await t.http.get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
  });
});
