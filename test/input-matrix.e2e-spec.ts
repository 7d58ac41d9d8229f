// The input matrix, generated from the OpenAPI document the app serves: every operation that takes
// a body or a query is called with the right role's key (and an Idempotency-Key where it takes
// one) and, one at a time, hostile input: unknown and mass-assignment fields, wrong types, bad
// amounts, very long strings, odd unicode, deep nesting, wrong content types, oversized and
// malformed bodies. Each must be a 4xx with error.code, never a 5xx, and write nothing.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Test } from 'supertest';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { changedTables, databaseFingerprint, fillPath, seedWorld, type World } from './support/route-matrix.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document, walked loosely as the JSON it is
type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  name: string;
  method: (typeof METHODS)[number];
  /** express form, `/orders/:id` */
  path: string;
  op: Json;
  body: Json | undefined;
  query: Json[];
}

/**
 * A body each operation accepts (against A's real resources), so that one hostile change is what
 * the answer is about. An operation with a body and no entry here fails the matrix.
 */
const VALID_BODIES: Record<string, (w: World) => object> = {
  'POST /admin/principals': () => ({ role: 'buyer', name: 'Matrix buyer', email: 'matrix@example.test' }),
  'POST /admin/principals/:id/api-keys': () => ({ label: 'matrix key' }),
  'PUT /admin/sellers/:sellerId/fee-policy': () => ({ basisPoints: 700, fixedAmounts: { USD: 30 } }),
  'POST /admin/reconciliation/runs': () => ({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' }),
  'POST /admin/reconciliation/discrepancies/:id/resolve': () => ({ note: 'checked by hand' }),
  'POST /admin/reconciliation/discrepancies/:id/heal': () => ({ action: 'resync' }),
  'POST /admin/webhook-events/replay': () => ({ status: 'dead', type: 'account.updated' }),
  'POST /admin/webhook-events/backfill': () => ({ from: '2026-11-26T00:00:00Z', to: '2026-11-26T06:00:00Z' }),
  'POST /admin/payouts/:id/approve': () => ({ reason: 'looks fine' }),
  'POST /admin/payouts/:id/reject': () => ({ reason: 'not yet' }),
  'POST /checkout': (w) => ({ items: [{ listingId: w.listing, quantity: 1 }], successUrl: 'https://shop.example/ok', cancelUrl: 'https://shop.example/cart' }),
  'POST /orders/:id/refunds': () => ({ amount: '100', reason: 'requested_by_customer' }),
  'POST /sellers/me/connected-account': () => ({ country: 'US', businessName: 'Matrix Ceramics' }),
  'POST /sellers/me/payouts': () => ({ amount: 1000, currency: 'usd' }),
  'POST /listings': () => ({ title: 'Matrix mug', unitAmount: 1999, currency: 'USD' }),
};

// the webhook routes take Stripe's signed raw body, not our JSON: any change of it fails the signature
const SIGNED_RAW_BODY = (path: string) => path.startsWith('/webhooks/');

const MASS_ASSIGNMENT = ['amount', 'fee', 'sellerId', 'status', 'stripeAccountId', 'role', '__proto__', 'constructor'];
const LONG = 'x'.repeat(100_000);
// under Node's 16 KiB limit on a request's head, so that the route sees it; 100k is tried too (431 from the parser)
const LONG_QUERY = 'x'.repeat(12_000);
const LONG_QUERY_OVER_HEAD_LIMIT = 'x'.repeat(100_000);
const TWO_63 = '9223372036854775808';
/** The codes of the pipes and parsers every body goes through, as opposed to a route's own refusals. */
const GENERIC_REFUSALS = new Set([
  'VALIDATION_FAILED',
  'UNKNOWN_FIELD',
  'BAD_REQUEST',
  'BODY_TOO_DEEP',
  'NUL_CHARACTER',
  'LONE_SURROGATE',
  'BIDI_CONTROL_CHARACTER',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
]);

let t: TestApp;
let sql: SqlClient;
let w: World;
let doc: Json;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYOUT_MODE: 'reviewed' } });
  sql = sqlClient(t.databaseUrl);
  w = await seedWorld(t, sql);
  doc = (await t.http.get('/docs/openapi.json').expect(200)).body;
}, 120_000);
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const deref = (schema: Json | undefined): Json | undefined => {
  if (!schema?.$ref) return schema?.allOf?.length === 1 ? deref(schema.allOf[0]) : schema;
  return deref(doc.components.schemas[String(schema.$ref).replace('#/components/schemas/', '')]);
};

function operations(): Operation[] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method): Operation => {
      const op = item[method] as Json;
      const expressPath = path.replace(/\{(\w+)\}/g, ':$1');
      const params = (op.parameters ?? []) as Json[];
      return {
        name: `${method.toUpperCase()} ${expressPath}`,
        method,
        path: expressPath,
        op,
        body: op.requestBody ? (deref(op.requestBody.content?.['application/json']?.schema) ?? {}) : undefined,
        query: params.filter((p) => p.in === 'query'),
      };
    }),
  );
}

function keyFor(op: Json): string | undefined {
  const roles = (op['x-roles'] ?? []) as string[];
  if (roles.includes('admin')) return t.adminKey;
  if (roles.includes('seller')) return w.sellerA.key;
  if (roles.includes('buyer')) return w.buyerA.key;
  return undefined;
}

function request(o: Operation, query = ''): Test {
  const { url } = fillPath(o.path, w);
  // an API client: the browser pages (checkout success, onboarding return) answer JSON to one
  let req = t.http[o.method](`${url}${query}`).set('Accept', 'application/json');
  const key = keyFor(o.op);
  if (key) req = req.set(bearer(key));
  if (((o.op.parameters ?? []) as Json[]).some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) req = req.set('Idempotency-Key', randomUUID());
  return req;
}

/** A body as raw JSON text: `base` with `key` set to the raw JSON `value` (so __proto__, 2^63 and 1e309 reach the server as sent). */
function withRaw(base: object, key: string, value: string): string {
  const rest = JSON.stringify(base).slice(1, -1);
  return `{${rest}${rest ? ',' : ''}${JSON.stringify(key)}:${value}}`;
}

interface Case {
  what: string;
  send: (req: Test) => Test;
  /** the one code this case must answer, where the app promises one */
  code?: string;
}

const json = (body: string) => (req: Test) => req.set('Content-Type', 'application/json').send(body);

/** Wrong-typed, bad-amount, long and odd-unicode values for one property, as raw JSON. */
function badValues(name: string, schema: Json): Array<[string, string]> {
  const s = deref(schema) ?? {};
  const types = new Set<string>([s.type, ...((s.oneOf ?? s.anyOf ?? []) as Json[]).map((x) => deref(x)?.type)].filter(Boolean));
  const out: Array<[string, string]> = [];
  if (!types.has('object')) out.push(['an object', '{"x":1}']);
  if (!types.has('boolean')) out.push(['a boolean', 'true']);
  if (!types.has('array')) out.push(['an array', '[1]']);
  if (!types.has('string')) out.push(['a string', '"abc"']);
  if (!types.has('integer') && !types.has('number') && !types.has('boolean')) out.push(['a number', '12345']);
  const money = /amount$/i.test(name) || name === 'quantity';
  if (types.has('integer') || types.has('number') || money) {
    out.push(['negative', '-1'], ['fractional', '1.5'], ['2^63', TWO_63], ['1e309', '1e309'], ["'1e309'", '"1e309"'], ['negative as a string', '"-1"']);
    if (money) out.push(['zero', '0'], ['zero as a string', '"0"'], ['fractional as a string', '"1.5"']);
  }
  if (types.has('string') || types.size === 0) {
    out.push(['100k characters', JSON.stringify(LONG)], ['a NUL', '"a\\u0000b"'], ['a lone surrogate', '"a\\ud800b"'], ['a right-to-left override', '"evil\\u202etxt.exe"']);
  }
  return out;
}

function bodyCases(o: Operation, base: object): Case[] {
  const props = (o.body?.properties ?? {}) as Record<string, Json>;
  const cases: Case[] = [{ what: 'an unknown field', code: 'UNKNOWN_FIELD', send: json(withRaw(base, 'matrixUnknownField', '1')) }];
  for (const field of MASS_ASSIGNMENT.filter((f) => !(f in props)))
    cases.push({ what: `mass assignment of ${field}`, code: 'UNKNOWN_FIELD', send: json(withRaw(base, field, field.startsWith('_') || field === 'constructor' ? '{"role":"admin"}' : '"x"')) });
  for (const [name, schema] of Object.entries(props)) {
    for (const [what, value] of badValues(name, schema)) cases.push({ what: `${name} ${what}`, send: json(withRaw(base, name, value)) });
    // an array of objects (a cart's items): the same for each property of its first element
    const items = deref(deref(schema)?.items);
    const first = (base as Record<string, unknown>)[name];
    if (items?.properties && Array.isArray(first) && first.length > 0) {
      for (const [inner, innerSchema] of Object.entries(items.properties as Record<string, Json>))
        for (const [what, value] of badValues(inner, innerSchema))
          cases.push({ what: `${name}[0].${inner} ${what}`, send: json(withRaw(base, name, `[${withRaw(first[0] as object, inner, value)}]`)) });
    }
  }
  const nested = `${'['.repeat(1000)}${']'.repeat(1000)}`;
  cases.push(
    { what: '1000 levels of nesting', send: json(withRaw(base, Object.keys(props)[0] ?? 'x', nested)) },
    { what: 'text/plain', send: (req) => req.set('Content-Type', 'text/plain').send(JSON.stringify(base)) },
    { what: 'form-encoded', send: (req) => req.type('form').send(new URLSearchParams(Object.entries(base).map(([k, v]): [string, string] => [k, String(v)])).toString()) },
    { what: 'a body over the limit', send: json(withRaw(base, Object.keys(props)[0] ?? 'x', JSON.stringify('y'.repeat(150 * 1024)))) },
    { what: 'malformed JSON', send: json(`${JSON.stringify(base).slice(0, -1)},`) },
    { what: 'single-quoted JSON', send: json("{'a':1}") },
    { what: 'a JSON array', send: json(`[${JSON.stringify(base)}]`) },
    { what: 'a JSON string', send: json('"hello"') },
  );
  return cases;
}

function queryCases(o: Operation): Array<{ what: string; query: string }> {
  const cases = [{ what: 'an unknown parameter', query: '?matrixUnknown=1' }];
  for (const p of o.query) {
    const s = deref(p.schema) ?? {};
    const values: Array<[string, string]> = [
      ['a NUL', 'a%00b'],
      ['a lone surrogate (invalid UTF-8)', '%ED%A0%80'],
      ['a right-to-left override', 'evil%E2%80%AEtxt'],
      ['12k characters', LONG_QUERY],
      ['100k characters', LONG_QUERY_OVER_HEAD_LIMIT],
      ['two values', `1&${encodeURIComponent(p.name)}=2`],
    ];
    if (s.type === 'integer' || s.type === 'number') values.push(['not a number', 'abc'], ['negative', '-1'], ['fractional', '1.5'], ['2^63', TWO_63], ['1e309', '1e309']);
    if (s.format === 'uuid') values.push(['not a uuid', 'not-a-uuid']);
    if (s.format === 'date-time') values.push(['not a date', '2026-13-45']);
    if (s.enum) values.push(['outside the enum', 'matrix_nonsense']);
    for (const [what, value] of values) cases.push({ what: `${p.name} ${what}`, query: `?${encodeURIComponent(p.name)}=${value}` });
  }
  return cases;
}

describe('the input matrix', () => {
  it('covers every operation of the document that takes a body or a query', () => {
    const all = operations();
    const uncovered = all.filter((o) => o.body && !SIGNED_RAW_BODY(o.path) && !VALID_BODIES[o.name]).map((o) => o.name);
    const stale = Object.keys(VALID_BODIES).filter((name) => !all.some((o) => o.name === name && o.body));
    const unfilled = all.filter((o) => o.body || o.query.length).flatMap((o) => fillPath(o.path, w).missing.map((p) => `${o.name} (${p})`));
    expect({ uncovered, stale, unfilled }).toEqual({ uncovered: [], stale: [], unfilled: [] });
    expect(all.filter((o) => o.body).length).toBeGreaterThanOrEqual(15);
    expect(all.filter((o) => o.query.length).length).toBeGreaterThanOrEqual(15);
  });

  it('answers every hostile body and query with a 4xx and a code, never a 5xx, and writes nothing', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const o of operations().filter((x) => x.body || x.query.length)) {
      const before = await databaseFingerprint(sql);
      const base = VALID_BODIES[o.name]?.(w) ?? {};
      const attempts: Array<{ what: string; code?: string; run: () => Test }> = [
        ...(o.body ? bodyCases(o, base).map((c) => ({ what: c.what, code: SIGNED_RAW_BODY(o.path) ? undefined : c.code, run: () => c.send(request(o)) })) : []),
        ...queryCases(o)
          .filter(() => o.query.length > 0)
          .map((c) => ({ what: `query ${c.what}`, run: () => (o.body ? request(o, c.query).send(base) : request(o, c.query)) })),
      ];
      for (const a of attempts) {
        calls++;
        const res = await a.run();
        const code = res.body?.error?.code;
        if (res.status < 400 || res.status >= 500 || typeof code !== 'string') failures.push(`${o.name} with ${a.what}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        if (a.code && code !== a.code) failures.push(`${o.name} with ${a.what}: ${code}, expected ${a.code}`);
        if (/at .+\.(js|ts):\d+|stack/i.test(res.text ?? '')) failures.push(`${o.name} with ${a.what}: a stack trace in the answer`);
      }
      const changed = changedTables(before, await databaseFingerprint(sql));
      if (changed.length) failures.push(`${o.name}: the hostile inputs changed ${changed.join(', ')}`);
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(500);
  }, 180_000);

  it("bytes that are not HTTP: 400 in the API's error shape from the parser, nothing written", async () => {
    const before = await databaseFingerprint(sql);
    const { port } = new URL(t.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end('POST /checkout HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n{}'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('BAD_REQUEST');
    expect(changedTables(before, await databaseFingerprint(sql))).toEqual([]);
  });

  // last, as it writes: each hostile case above changed one thing of a body the app accepts, so
  // what refused it was that change (a 409 or 422 of the domain is fine: validation passed)
  it('the valid bodies pass validation', async () => {
    const refused: string[] = [];
    for (const o of operations().filter((x) => x.body && VALID_BODIES[x.name])) {
      const res = await request(o).send(VALID_BODIES[o.name]!(w));
      if (res.status >= 500 || GENERIC_REFUSALS.has(res.body?.error?.code)) refused.push(`${o.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
    }
    expect(refused).toEqual([]);
    await expectBooksMatchStripe(t);
  });
});
