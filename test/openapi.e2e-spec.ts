import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { deliver, eventJson, signature } from './support/webhooks.js';
import { PLATFORM_SECRET } from './support/test-app.js';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, walked loosely as the JSON it is
type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Every operation of the document, as [method, path, operation]. */
function operationsOf(doc: Json): Array<[string, string, Json]> {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m): [string, string, Json] => [m, path, item[m]]));
}

/** The routes the HTTP server answers (Nest's and the ones mounted on express), as `METHOD /path/{param}`. */
function mountedRoutes(server: Express): string[] {
  const stack = (server as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`))
    .filter((route) => !/ \/docs/.test(route)) // the document's own routes (Swagger UI, JSON, YAML)
    .sort();
}

/**
 * OpenAPI 3.0's `nullable: true` allows null for the whole schema, `allOf: [{ $ref }]` included
 * (how Swagger writes a nullable object property); in JSON Schema that is `anyOf: [null, schema]`.
 */
function nullableAsJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableAsJsonSchema(v)]));
  if (out.nullable !== true) return out;
  const { nullable: _, description, ...schema } = out;
  return { ...(description ? { description } : {}), anyOf: [{ type: 'null' }, schema] };
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Json;
  let ajv: Ajv;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/docs/openapi.json').expect(200).expect('content-type', /json/)).body;
    // the document's schemas are OpenAPI 3.0 (nullable, example): Ajv reads them as JSON Schema
    // and strictly: a field a mapper answers that its class does not declare fails too
    const strict = nullableAsJsonSchema(doc) as Json;
    for (const schema of Object.values(strict.components.schemas as Record<string, Json>)) if (schema.properties) schema.additionalProperties ??= false;
    ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(strict, 'openapi.json');
  });
  afterAll(() => t?.close());

  /** The declared schema of the response `status` of `METHOD path`, checked against a real body. */
  function expectDeclared(method: string, path: string, status: number, body: unknown): void {
    const response = doc.paths[path]?.[method]?.responses?.[status];
    expect({ route: `${method} ${path}`, status, declared: response !== undefined }).toEqual({ route: `${method} ${path}`, status, declared: true });
    const pointer = `openapi.json#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${status}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer)!;
    const valid = validate(body);
    expect({ route: `${method} ${path} ${status}`, errors: valid ? null : validate.errors }).toEqual({ route: `${method} ${path} ${status}`, errors: null });
  }

  it('is a valid OpenAPI document', async () => {
    const result = await new Validator().validate(doc);
    expect(result.errors ?? null).toBeNull();
    expect(result.valid).toBe(true);
  });

  it('is served as YAML too, the same document', async () => {
    const res = await t.http.get('/docs/openapi.yaml').expect(200).expect('content-type', /yaml/);
    const validator = new Validator();
    const result = await validator.validate(res.text);
    expect(result.valid).toBe(true);
    expect(validator.specification).toEqual(doc);
  });

  it('documents every route the server answers, and no route it does not', () => {
    const documented = operationsOf(doc)
      .map(([m, p]) => `${m.toUpperCase()} ${p}`)
      .sort();
    expect(documented).toEqual(mountedRoutes(t.app.getHttpAdapter().getInstance() as Express));
    expect(documented).toEqual(expect.arrayContaining(['POST /webhooks/stripe', 'POST /webhooks/stripe/connect', 'POST /webhooks/stripe/events']));
  });

  it('gives every operation a summary, its auth, a success schema and its error responses', () => {
    const problems: string[] = [];
    const errorSchema = doc.components.schemas.ErrorResponse;
    expect(errorSchema.properties.error.$ref).toBe('#/components/schemas/ErrorDetailResponse');
    for (const [method, path, op] of operationsOf(doc)) {
      const at = `${method.toUpperCase()} ${path}`;
      if (!op.summary) problems.push(`${at}: no summary`);
      if (!Array.isArray(op.security)) problems.push(`${at}: no security`);
      if (!Array.isArray(op['x-roles'])) problems.push(`${at}: no x-roles`);
      if (!/\*\*Auth:\*\*/.test(op.description ?? '')) problems.push(`${at}: auth not described`);
      const statuses = Object.keys(op.responses).map(Number);
      const successes = statuses.filter((s) => s >= 200 && s < 300);
      const redirects = statuses.filter((s) => s >= 300 && s < 400);
      if (successes.length === 0 && redirects.length === 0) problems.push(`${at}: no success response`);
      // a page meant only for a browser (no JSON form) declares its HTML schema instead, an export its CSV, /metrics Prometheus text
      for (const s of successes) if (!['application/json', 'text/html', 'text/csv', 'text/plain'].some((type) => op.responses[s].content?.[type]?.schema)) problems.push(`${at}: ${s} has no schema`);
      const errors = statuses.filter((s) => s >= 400);
      for (const s of [400, 500]) if (!errors.includes(s)) problems.push(`${at}: no ${s} response`);
      if (op.security?.length && !errors.includes(401)) problems.push(`${at}: needs a key but no 401`);
      if (path.includes('{') && !errors.includes(404)) problems.push(`${at}: names a resource but declares no 404`);
      for (const s of errors) {
        const schema = op.responses[s].content?.['application/json']?.schema;
        if (schema?.allOf?.[0]?.$ref !== '#/components/schemas/ErrorResponse') problems.push(`${at}: ${s} is not the error body`);
        const codes = schema?.allOf?.[1]?.properties?.error?.properties?.code?.enum;
        if (!Array.isArray(codes) || codes.length === 0) problems.push(`${at}: ${s} lists no error codes`);
      }
      const takesKey = (op.parameters ?? []).some((p: Json) => p.in === 'header' && p.name === 'Idempotency-Key');
      if (method === 'post' && /\/(checkout|refunds)$/.test(path) && !takesKey) problems.push(`${at}: no Idempotency-Key header`);
    }
    expect(problems).toEqual([]);
  });

  it('declares an opaque bearer API key, not a JWT, and which role each route needs', () => {
    const scheme = doc.components.securitySchemes['api-key'];
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(scheme.bearerFormat).toMatch(/^mkt_/);
    expect(JSON.stringify(doc.components.securitySchemes)).not.toMatch(/JWT/);
    expect(doc.paths['/admin/principals'].post['x-roles']).toEqual(['admin']);
    expect(doc.paths['/checkout'].post['x-roles']).toEqual(['buyer']);
    expect(doc.paths['/orders/{id}/refunds'].post['x-roles']).toEqual(['admin', 'seller']);
    expect(doc.paths['/me'].get['x-roles']).toEqual(['admin', 'seller', 'buyer']);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/webhooks/stripe'].post.security).toEqual([]);
    expect(doc.paths['/webhooks/stripe'].post.parameters).toEqual([expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true })]);
    expect(doc.paths['/orders/{id}/refunds'].post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]));
    // a use case's own codes are listed under their status
    expect(doc.paths['/orders/{id}/refunds'].post.responses[409].content['application/json'].schema.allOf[1].properties.error.properties.code.enum).toEqual(
      expect.arrayContaining(['REFUNDS.IN_PROGRESS', 'IDEMPOTENCY.IN_FLIGHT']),
    );
  });

  it('real answers validate against the schemas declared for them', async () => {
    const seller = await createPrincipal(t, 'seller');
    const buyer = await createPrincipal(t, 'buyer');
    const listing = await t.http.post('/listings').set(bearer(seller.key)).send({ title: 'Mug', unitAmount: 1999, currency: 'USD' }).expect(201);
    expectDeclared('post', '/listings', 201, listing.body);
    expectDeclared('get', '/listings', 200, (await t.http.get('/listings').query({ limit: 1 }).set(bearer(buyer.key)).expect(200)).body);
    expectDeclared('get', '/listings/{id}', 200, (await t.http.get(`/listings/${listing.body.id}`).set(bearer(buyer.key)).expect(200)).body);
    expectDeclared('get', '/me', 200, (await t.http.get('/me').set(bearer(buyer.key)).expect(200)).body);
    expectDeclared('get', '/admin/principals', 200, (await t.http.get('/admin/principals').set(bearer(t.adminKey)).expect(200)).body);
    expectDeclared('get', '/admin/principals/{id}/api-keys', 200, (await t.http.get(`/admin/principals/${seller.id}/api-keys`).set(bearer(t.adminKey)).expect(200)).body);
    expectDeclared('get', '/admin/ledger/accounts', 200, (await t.http.get('/admin/ledger/accounts').set(bearer(t.adminKey)).expect(200)).body);
    expectDeclared('get', '/sellers/me', 200, (await t.http.get('/sellers/me').set(bearer(seller.key)).expect(200)).body);
    expectDeclared('get', '/health/ready', 200, (await t.http.get('/health/ready').expect(200)).body);
    expectDeclared('get', '/admin/ledger/balance-check', 200, (await t.http.get('/admin/ledger/balance-check').set(bearer(t.adminKey)).expect(200)).body);
    // errors: the one error body, with a code the route declares
    expectDeclared('get', '/listings/{id}', 404, (await t.http.get('/listings/00000000-0000-4000-8000-000000000000').set(bearer(buyer.key)).expect(404)).body);
    expectDeclared('get', '/listings', 400, (await t.http.get('/listings?limit=abc').set(bearer(buyer.key)).expect(400)).body);
    expectDeclared('get', '/listings', 401, (await t.http.get('/listings').expect(401)).body);
    expectDeclared('post', '/admin/principals', 403, (await t.http.post('/admin/principals').set(bearer(buyer.key)).send({ role: 'buyer', name: 'x' }).expect(403)).body);
    expectDeclared('post', '/checkout', 400, (await t.http.post('/checkout').set(bearer(buyer.key)).send({ items: [] }).expect(400)).body);
    const malformed = await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send('{"role":').expect(400);
    expectDeclared('post', '/admin/principals', 400, malformed.body);
    const asText = await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'text/plain').send('role=buyer').expect(415);
    expectDeclared('post', '/admin/principals', 415, asText.body);
    expectDeclared('get', '/me', 400, (await t.http.get('/me').set(bearer(buyer.key)).set('Content-Type', 'application/json').send('{}').expect(400)).body);
    expectDeclared('get', '/principals/{id}', 400, (await t.http.get('/principals/not-a-uuid').set(bearer(buyer.key)).expect(400)).body);
    expectDeclared('post', '/admin/api-keys/{id}/revoke', 404, (await t.http.post(`/admin/api-keys/${randomUUID()}/revoke`).set(bearer(t.adminKey)).expect(404)).body);
    // the webhook routes, mounted ahead of Nest
    const payload = eventJson({ id: `evt_openapi_${Date.now()}`, type: 'fixture.created' });
    expectDeclared('post', '/webhooks/stripe', 200, (await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200)).body);
    expectDeclared('post', '/webhooks/stripe', 400, (await deliver(t, '/webhooks/stripe', payload, 't=1,v1=bad').expect(400)).body);
  });

  it('an order, its checkout, its refund and its ledger entries validate against their schemas', async () => {
    const seller = await createActiveSeller(t);
    const buyer = await createPrincipal(t, 'buyer');
    expectDeclared('get', '/sellers/{sellerId}', 200, (await t.http.get(`/sellers/${seller.id}`).set(bearer(seller.key)).expect(200)).body);
    expectDeclared('get', '/admin/sellers', 200, (await t.http.get('/admin/sellers').query({ limit: 2 }).set(bearer(t.adminKey)).expect(200)).body);
    const listingId = await createListing(t, seller, { unitAmount: 5000 });
    const started = await checkout(t, buyer, [{ listingId, quantity: 1 }]).expect(201);
    expectDeclared('post', '/checkout', 201, started.body);
    const order = await paidOrder(t, buyer, listingId);
    expectDeclared('get', '/orders/{id}', 200, (await t.http.get(`/orders/${order.id}`).set(bearer(buyer.key)).expect(200)).body);
    const refund = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
    expectDeclared('post', '/orders/{id}/refunds', 201, refund.body);
    expectDeclared('get', '/orders/{id}', 200, (await t.http.get(`/orders/${order.id}`).set(bearer(t.adminKey)).expect(200)).body);
    const entries = await t.http.get('/admin/ledger/entries').query({ referenceType: 'order', referenceId: order.id }).set(bearer(t.adminKey)).expect(200);
    expect(entries.body.data.length).toBeGreaterThan(0);
    expectDeclared('get', '/admin/ledger/entries', 200, entries.body);
    expectDeclared('get', '/admin/webhook-events', 200, (await t.http.get('/admin/webhook-events').query({ limit: 3 }).set(bearer(t.adminKey)).expect(200)).body);
    const events = (await t.http.get('/admin/webhook-events').query({ limit: 1 }).set(bearer(t.adminKey)).expect(200)).body.data;
    expectDeclared('get', '/admin/webhook-events/{id}', 200, (await t.http.get(`/admin/webhook-events/${events[0].id}`).set(bearer(t.adminKey)).expect(200)).body);
    expectDeclared('get', '/admin/sellers/{sellerId}/fee-policy', 200, (await t.http.get(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200)).body);
    await expectBooksMatchStripe(t); // the order and its refund moved money: the books still match Stripe
  });
});
