// The authorization matrix, generated from the routes the server answers (Nest's route table and
// the routes mounted on express): every route refuses a call without a key, every route's wrong
// roles are refused, and every route with an id, called by another seller, another buyer or the
// wrong role with A's real ids, answers 401/403/404 with none of A's data and changes nothing.
// A new route is in the matrix without anyone adding it; one whose id it cannot fill fails.
import { randomUUID } from 'node:crypto';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { changedTables, databaseFingerprint, fillPath, type Route, routeName, routeTable, seedWorld, type World } from './support/route-matrix.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Routes anyone may call, each with what protects it instead of a key. */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health': 'liveness probe for the orchestrator; answers no data',
  'GET /health/ready': 'readiness probe; answers the dependencies it checked, no data',
  'GET /checkout/success': "Stripe sends the buyer's browser here; the order is found by its Checkout Session id, an unguessable bearer token",
  'GET /checkout/cancel': "Stripe sends the buyer's browser here; a static page",
  'GET /onboarding/refresh': "Stripe sends the seller's browser here; the account link's account id is needed to make a new link",
  'GET /onboarding/return': "Stripe sends the seller's browser here; shows status by the account id from Stripe's link",
  'POST /webhooks/stripe': "Stripe's signature on the raw body (Stripe-Signature), checked before anything is stored",
  'POST /webhooks/stripe/connect': "Stripe's signature on the raw body, the Connect endpoint's own secret",
  'POST /webhooks/stripe/events': "Stripe's signature on the raw body, the event destination's own secret",
};
/** Swagger UI and the document: the API's description, no data. */
const isDocsRoute = (r: Route) => r.path === '/docs' || r.path.startsWith('/docs/') || r.path.startsWith('/docs-');

/** Bodies that pass validation, for the routes whose ownership check comes after it (guards refuse roles first). */
const VALID_BODIES: Record<string, object> = {
  'POST /orders/:id/refunds': { amount: '100' },
};

let t: TestApp;
let sql: SqlClient;
let w: World;
let routes: Route[];

beforeAll(async () => {
  t = await startTestApp({ env: { PAYOUT_MODE: 'reviewed' } });
  sql = sqlClient(t.databaseUrl);
  w = await seedWorld(t, sql);
  routes = routeTable(t).filter((r) => !isDocsRoute(r));
}, 120_000);
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

type Caller = { who: string; key: string | undefined; role: string | undefined };
const callers = (): Caller[] => [
  { who: 'no key', key: undefined, role: undefined },
  { who: 'seller B', key: w.sellerB.key, role: 'seller' },
  { who: 'buyer B', key: w.buyerB.key, role: 'buyer' },
];

function call(r: Route, url: string, key: string | undefined) {
  const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch';
  let req = t.http[method](url);
  if (key) req = req.set(bearer(key));
  if (r.method !== 'GET' && r.method !== 'DELETE') req = req.set('Idempotency-Key', randomUUID());
  const body = VALID_BODIES[routeName(r)];
  return body ? req.send(body) : req;
}

/** What the answer leaked of A's data (A's ids, names, Stripe ids, amounts) beyond the id the caller sent (a 404 names it back). */
const leaked = (text: string, url: string) => w.secrets.filter((s) => text.includes(s) && !url.includes(encodeURIComponent(s)));

describe('the route table', () => {
  it('has every route either behind a key or listed as public with a reason; every /admin route is admin-only', () => {
    const unlisted = routes.filter((r) => r.isPublic && !PUBLIC_ROUTES[routeName(r)]).map(routeName);
    const notNest = routes.filter((r) => !r.nest && !PUBLIC_ROUTES[routeName(r)]).map(routeName);
    const stale = Object.keys(PUBLIC_ROUTES).filter((name) => !routes.some((r) => routeName(r) === name));
    const listedButGuarded = routes.filter((r) => r.nest && !r.isPublic && PUBLIC_ROUTES[routeName(r)]).map(routeName);
    const adminNotAdminOnly = routes.filter((r) => r.path.startsWith('/admin') && (r.isPublic || r.roles?.join() !== 'admin')).map(routeName);
    expect({ unlisted, notNest, stale, listedButGuarded, adminNotAdminOnly }).toEqual({ unlisted: [], notNest: [], stale: [], listedButGuarded: [], adminNotAdminOnly: [] });
    // the matrix is generated: it sees the routes a person would name
    expect(routes.map(routeName)).toEqual(expect.arrayContaining(['GET /orders/:id', 'POST /orders/:id/refunds', 'POST /admin/payouts/:id/approve', 'POST /webhooks/stripe']));
  });

  it('can fill every path parameter with a real id of A (a route it cannot fill is named)', () => {
    const unfilled = routes.filter((r) => r.path.includes(':')).flatMap((r) => fillPath(r.path, w).missing.map((p) => `${routeName(r)} (${p})`));
    expect(unfilled).toEqual([]);
  });

  it('names a parameter it has no id for (as a new route with a new resource would be)', () => {
    expect(fillPath('/admin/widgets/:widgetId/approve', w).missing).toEqual(['/admin/widgets/:widgetId']);
    expect(fillPath('/orders/:id/widgets/:widgetId', w).missing).toEqual(['/orders/:id/widgets/:widgetId']);
    expect(fillPath('/orders/:id/refunds', w)).toEqual({ url: `/orders/${w.order.id}/refunds`, missing: [] });
  });

  it('the ids are real: an admin reads every GET route with an id', async () => {
    const notFound: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET' && x.path.includes(':'))) {
      const res = await call(r, fillPath(r.path, w).url, t.adminKey);
      if (res.status !== 200) notFound.push(`${routeName(r)}: ${res.status}`);
    }
    expect(notFound).toEqual([]);
  });
});

describe('calls by anyone but A and the admins', () => {
  it('every route behind a key: no key is 401; a role it does not take is 403; with an id, another seller or buyer gets 401/403/404; no body carries A data; nothing changes', async () => {
    const failures: string[] = [];
    const before = await databaseFingerprint(sql);
    for (const r of routes.filter((x) => !x.isPublic && x.nest)) {
      const { url } = fillPath(r.path, w);
      const takesId = r.path.includes(':');
      const callersHere = callers();
      // admin-only: A's own keys are refused too
      if (r.roles?.join() === 'admin') callersHere.push({ who: 'seller A', key: w.sellerA.key, role: 'seller' }, { who: 'buyer A', key: w.buyerA.key, role: 'buyer' });
      for (const c of callersHere) {
        const wrongRole = c.role !== undefined && r.roles !== undefined && !r.roles.includes(c.role);
        // a route of the caller's own (/me, /sellers/me/..., lists) without an id: only the refusals and leaks are checked
        if (!takesId && c.key && !wrongRole && r.method !== 'GET') continue;
        const before1 = takesId || r.method !== 'GET' ? await databaseFingerprint(sql) : undefined;
        const res = await call(r, url, c.key);
        const text = `${JSON.stringify(res.body ?? {})}${res.text ?? ''}`;
        const expected = c.key === undefined ? [401] : wrongRole ? [403] : takesId ? [401, 403, 404] : [200];
        if (!expected.includes(res.status)) failures.push(`${routeName(r)} as ${c.who}: ${res.status}, expected ${expected.join('/')} ${text.slice(0, 200)}`);
        if (res.status >= 400 && typeof res.body?.error?.code !== 'string') failures.push(`${routeName(r)} as ${c.who}: ${res.status} without error.code`);
        const leaks = leaked(text, url);
        if (leaks.length) failures.push(`${routeName(r)} as ${c.who}: the body carries A's ${leaks.join(', ')}`);
        if (before1) {
          const changed = changedTables(before1, await databaseFingerprint(sql));
          if (changed.length) failures.push(`${routeName(r)} as ${c.who}: changed ${changed.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(changedTables(before, await databaseFingerprint(sql))).toEqual([]);
  }, 120_000);

  it("the webhook endpoints store nothing that is not signed with the endpoint's secret", async () => {
    const before = await databaseFingerprint(sql);
    for (const r of routes.filter((x) => x.path.startsWith('/webhooks/'))) {
      const payload = JSON.stringify({ id: `evt_${randomUUID()}`, object: 'event', type: 'account.updated', account: w.sellerA.account, data: { object: { id: w.sellerA.account } } });
      const unsigned = await t.http.post(r.path).set('Content-Type', 'application/json').send(payload);
      const forged = await t.http
        .post(r.path)
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`)
        .send(payload);
      expect([unsigned.status, forged.status]).toEqual([400, 400]);
      expect(forged.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    }
    expect(changedTables(before, await databaseFingerprint(sql))).toEqual([]);
  });

  it('the books still match Stripe', async () => {
    await expectBooksMatchStripe(t);
  });
});
