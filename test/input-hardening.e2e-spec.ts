// Bad input gets a clear 4xx with a code and changes nothing: content types, bodies where none is
// taken, the explicit full refund, bodies that used to be 500s, and inputs that used to be accepted.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, paidOrder } from './support/checkout.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { PLATFORM_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { deliver, eventJson, signature } from './support/webhooks.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
// every test here moves money at Stripe (or refuses to): it ends with the books against Stripe's balances
afterEach(async () => {
  await expectBooksMatchStripe(t);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const refundPath = (orderId: string) => `/orders/${orderId}/refunds`;
const refundRows = async (orderId: string) => (await sql.query(`SELECT id FROM refunds WHERE order_id = $1`, [orderId])).length;
const refundsAtStripe = async (chargeId: string) => (await t.stripe.refunds.list({ charge: chargeId })).data.length;
/** Any row under this key: a refusal releases its key, a 500 would be stored and replayed. */
const storedKeys = (key: string) => sql.query<{ state: string; response_status: number | null }>(`SELECT state, response_status FROM idempotency_keys WHERE key = $1`, [key]);
const principalsNamed = async (name: string) => (await sql.query(`SELECT id FROM principals WHERE name = $1`, [name])).length;

/** The order, Stripe and the idempotency keys show no refund was made. */
async function expectNoRefund(order: { id: string; chargeId: string }, key: string) {
  expect(await refundRows(order.id)).toBe(0);
  expect(await refundsAtStripe(order.chargeId)).toBe(0);
  expect(await getOrder(t, order.id)).toMatchObject({ status: 'paid', amountRefunded: '0' });
  expect(await storedKeys(key)).toEqual([]);
}

function expectError(res: { status: number; body: { error?: { code?: string; requestId?: string } } }, status: number, code: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(res.body.error?.requestId).toEqual(expect.any(String));
}

describe('content types: JSON only, on every route that takes a body', () => {
  let order: { id: string; chargeId: string };
  beforeAll(async () => {
    order = (await paidOrder(t, buyer, listing)) as { id: string; chargeId: string };
  });

  it.each([
    ['text/plain', (r: ReturnType<TestApp['http']['post']>) => r.set('Content-Type', 'text/plain').send('{"amount":"100"}')],
    ['application/xml', (r: ReturnType<TestApp['http']['post']>) => r.set('Content-Type', 'application/xml').send('<refund><amount>100</amount></refund>')],
    ['application/x-www-form-urlencoded', (r: ReturnType<TestApp['http']['post']>) => r.type('form').send('amount=100')],
    ['multipart/form-data', (r: ReturnType<TestApp['http']['post']>) => r.field('amount', '100')],
  ])('a refund sent as %s is 415 and refunds nothing', async (_type, send) => {
    const key = randomUUID();
    const res = await send(t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', key));
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectNoRefund(order, key);
  });

  it('a body without a Content-Type is 415 too', async () => {
    const key = randomUUID();
    const res = await fetch(`${t.baseUrl}${refundPath(order.id)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminKey}`, 'idempotency-key': key },
      body: new TextEncoder().encode('{"amount":"100"}'),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectNoRefund(order, key);
  });

  it('other routes with a body refuse form-encoded input as well', async () => {
    const name = `form ${randomUUID()}`;
    const res = await t.http.post('/admin/principals').set(bearer(t.adminKey)).type('form').send({ role: 'buyer', name });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await principalsNamed(name)).toBe(0);
    const put = await t.http.put(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).set('Content-Type', 'text/plain').send('{"basisPoints":0}');
    expectError(put, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await t.http.get(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200)).body.source).toBe('default');
  });

  it('application/*+json is JSON', async () => {
    const name = `vnd ${randomUUID()}`;
    await t.http
      .post('/admin/principals')
      .set(bearer(t.adminKey))
      .set('Content-Type', 'application/vnd.api+json')
      .send(JSON.stringify({ role: 'buyer', name }))
      .expect(201);
    expect(await principalsNamed(name)).toBe(1);
  });

  it('Stripe webhook deliveries are read raw, as before, whatever their Content-Type', async () => {
    const id = `evt_ct_${randomUUID()}`;
    const payload = eventJson({ id, type: 'fixture.ping' });
    await t.http.post('/webhooks/stripe').set('Content-Type', 'text/plain').set('Stripe-Signature', signature(payload, PLATFORM_SECRET)).send(payload).expect(200);
    expect((await sql.query(`SELECT id FROM webhook_events WHERE id = $1`, [id])).length).toBe(1);
  });
});

describe('routes that take no body refuse one', () => {
  it('a POST without a body parameter: 400 BODY_NOT_ALLOWED, nothing changes; without a body it works', async () => {
    const own = await createListing(t, seller, { unitAmount: 500 });
    const res = await t.http.post(`/listings/${own}/deactivate`).set(bearer(seller.key)).send({ reason: 'sold out' });
    expectError(res, 400, 'BODY_NOT_ALLOWED');
    expect((await t.http.get(`/listings/${own}`).set(bearer(buyer.key)).expect(200)).body.status).toBe('active');
    const text = await t.http.post(`/listings/${own}/deactivate`).set(bearer(seller.key)).set('Content-Type', 'text/plain').send('now');
    expectError(text, 400, 'BODY_NOT_ALLOWED');
    expect((await t.http.get(`/listings/${own}`).set(bearer(buyer.key)).expect(200)).body.status).toBe('active');

    await t.http
      .post(`/listings/${own}/deactivate`)
      .set(bearer(seller.key))
      .expect((r) => expect(r.status).toBeLessThan(300));
    await t.http.get(`/listings/${own}`).set(bearer(buyer.key)).expect(404);
  });

  it('GET and DELETE with a body: 400; the override survives the refused DELETE', async () => {
    expectError(await t.http.get('/me').set(bearer(t.adminKey)).send({ id: 'x' }), 400, 'BODY_NOT_ALLOWED');
    await t.http.put(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).send({ basisPoints: 700 }).expect(200);
    expectError(await t.http.delete(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).send({ all: true }), 400, 'BODY_NOT_ALLOWED');
    expect((await t.http.get(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ source: 'seller', basisPoints: 700 });
    await t.http.delete(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200);
    await t.http.get('/me').set(bearer(t.adminKey)).expect(200);
  });
});

describe('a full refund is asked for explicitly', () => {
  it('no amount and no full, both, null, or a non-boolean full: 400 and nothing changes; { full: true } refunds what remains', async () => {
    const order = (await paidOrder(t, buyer, listing)) as { id: string; chargeId: string };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{}, 'REFUNDS.AMOUNT_REQUIRED'],
      [{ reason: 'requested_by_customer' }, 'REFUNDS.AMOUNT_REQUIRED'],
      [{ full: false }, 'REFUNDS.AMOUNT_REQUIRED'],
      [{ amount: 100, full: true }, 'REFUNDS.AMOUNT_AND_FULL'],
      [{ amount: null }, 'VALIDATION_FAILED'],
      [{ full: null }, 'VALIDATION_FAILED'],
      [{ full: 'true' }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const key = randomUUID();
      const res = await t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);
      expectError(res, 400, code);
      await expectNoRefund(order, key);
    }
    // an empty JSON body is no body: the same refusal
    const key = randomUUID();
    expectError(await t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'application/json'), 400, 'REFUNDS.AMOUNT_REQUIRED');
    await expectNoRefund(order, key);

    const full = await t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ full: true }).expect(201);
    expect(full.body).toMatchObject({ status: 'succeeded', amount: '10000' });
    expect(await refundsAtStripe(order.chargeId)).toBe(1);
  });
});

describe('bodies that used to be 500s (and stored as such under their key) are 400s', () => {
  let order: { id: string; chargeId: string };
  beforeAll(async () => {
    order = (await paidOrder(t, buyer, listing)) as { id: string; chargeId: string };
  });
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
  const rawRefund = (key: string, json: string) => t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'application/json').send(json);

  it('JSON nested tens of thousands of levels deep: 400 BODY_TOO_DEEP', async () => {
    const key = randomUUID();
    expectError(await rawRefund(key, `{"amount":100,"reason":${nested(40_000)}}`), 400, 'BODY_TOO_DEEP');
    await expectNoRefund(order, key);
  });

  it('the limit is 32 levels', async () => {
    const deep = (levels: number) => `{"role":"buyer","name":"deep","x":${nested(levels - 1)}}`;
    const at = await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send(deep(32));
    expectError(at, 400, 'UNKNOWN_FIELD'); // not too deep: refused for the unknown field
    expectError(await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send(deep(33)), 400, 'BODY_TOO_DEEP');
  });

  it('a NUL character in a string: 400 NUL_CHARACTER', async () => {
    const key = randomUUID();
    expectError(await rawRefund(key, '{"amount":100,"reason":"dup\\u0000licate"}'), 400, 'NUL_CHARACTER');
    await expectNoRefund(order, key);
    const name = `nul ${randomUUID()}`;
    expectError(
      await t.http
        .post('/admin/principals')
        .set(bearer(t.adminKey))
        .send({ role: 'buyer', name: `${name}\u0000` }),
      400,
      'NUL_CHARACTER',
    );
    expect(await principalsNamed(name)).toBe(0);
  });

  it('a NUL character in the path or query: 400 NUL_CHARACTER', async () => {
    expectError(await t.http.get('/admin/ledger/entries?referenceType=order&referenceId=%00').set(bearer(t.adminKey)), 400, 'NUL_CHARACTER');
    expectError(await t.http.get('/admin/webhook-events/evt_%00').set(bearer(t.adminKey)), 400, 'NUL_CHARACTER');
  });

  it('a lone UTF-16 surrogate in a string: 400 LONE_SURROGATE', async () => {
    const key = randomUUID();
    expectError(await rawRefund(key, '{"amount":100,"reason":"\\ud800"}'), 400, 'LONE_SURROGATE');
    await expectNoRefund(order, key);
    const name = `surrogate ${randomUUID()}`;
    expectError(await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send(`{"role":"buyer","name":"${name}\\udfff"}`), 400, 'LONE_SURROGATE');
    expect((await sql.query(`SELECT id FROM principals WHERE name LIKE $1`, [`${name}%`])).length).toBe(0);
  });

  it('a bidirectional override (U+202E) in a body, the path or the query: 400 BIDI_CONTROL_CHARACTER, nothing created (the input matrix found it accepted)', async () => {
    const key = randomUUID();
    expectError(await rawRefund(key, '{"amount":100,"reason":"evil\\u202etxt.exe"}'), 400, 'BIDI_CONTROL_CHARACTER');
    await expectNoRefund(order, key);
    const name = `bidi ${randomUUID()}`;
    expectError(
      await t.http
        .post('/admin/principals')
        .set(bearer(t.adminKey))
        .send({ role: 'buyer', name: `${name}\u2067x\u2069` }),
      400,
      'BIDI_CONTROL_CHARACTER',
    );
    expect((await sql.query(`SELECT id FROM principals WHERE name LIKE $1`, [`${name}%`])).length).toBe(0);
    expectError(await t.http.get('/admin/ledger/entries?referenceType=order&referenceId=a%E2%80%AEb').set(bearer(t.adminKey)), 400, 'BIDI_CONTROL_CHARACTER');
    // right-to-left text itself is fine
    const arabic = `متجر ${randomUUID()}`;
    await t.http.post('/admin/principals').set(bearer(t.adminKey)).send({ role: 'buyer', name: arabic }).expect(201);
  });

  it('{ "amount": null }: 400, not a 500 stored under the key', async () => {
    const key = randomUUID();
    expectError(await rawRefund(key, '{"amount":null}'), 400, 'VALIDATION_FAILED');
    await expectNoRefund(order, key);
  });
});

describe('inputs that used to be accepted are refused', () => {
  it.each([
    ['__proto__', '{"role":"buyer","name":"%s","__proto__":{"role":"admin"}}'],
    ['constructor', '{"role":"buyer","name":"%s","constructor":{"prototype":{"x":1}}}'],
    ['a nested __proto__', '{"role":"buyer","name":"%s","email":{"__proto__":{}}}'],
  ])('%s keys: 400 UNKNOWN_FIELD and nothing is created', async (_what, template) => {
    const name = `proto ${randomUUID()}`;
    const res = await t.http.post('/admin/principals').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send(template.replace('%s', name));
    expectError(res, 400, 'UNKNOWN_FIELD');
    expect(await principalsNamed(name)).toBe(0);
  });

  it('a __proto__ key on a refund: 400 and no refund', async () => {
    const order = (await paidOrder(t, buyer, listing)) as { id: string; chargeId: string };
    const key = randomUUID();
    const res = await t.http.post(refundPath(order.id)).set(bearer(t.adminKey)).set('Idempotency-Key', key).set('Content-Type', 'application/json').send('{"amount":100,"__proto__":{"full":true}}');
    expectError(res, 400, 'UNKNOWN_FIELD');
    await expectNoRefund(order, key);
  });

  it('a fee override in a currency Stripe does not support: 400 FEES.INVALID_FIXED_AMOUNTS, the default still applies', async () => {
    const res = await t.http
      .put(`/admin/sellers/${seller.id}/fee-policy`)
      .set(bearer(t.adminKey))
      .send({ basisPoints: 500, fixedAmounts: { XYZ: 30 } });
    expectError(res, 400, 'FEES.INVALID_FIXED_AMOUNTS');
    expect((await t.http.get(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200)).body.source).toBe('default');
    await t.http
      .put(`/admin/sellers/${seller.id}/fee-policy`)
      .set(bearer(t.adminKey))
      .send({ basisPoints: 500, fixedAmounts: { usd: 30, KWD: 100 } })
      .expect(200);
    await t.http.delete(`/admin/sellers/${seller.id}/fee-policy`).set(bearer(t.adminKey)).expect(200);
  });

  it.each([' 100', '100 ', '\t100', '1 00'])('a listing unit amount of %j: 400 and no listing', async (unitAmount) => {
    const title = `spaces ${randomUUID()}`;
    const res = await t.http.post('/listings').set(bearer(seller.key)).send({ title, unitAmount, currency: 'USD' });
    expectError(res, 400, 'LISTINGS.INVALID_UNIT_AMOUNT');
    expect((await sql.query(`SELECT id FROM listings WHERE title = $1`, [title])).length).toBe(0);
  });

  it('a webhook signed minutes in the future: 400 WEBHOOK.BAD_SIGNATURE and nothing stored; a small skew is tolerated', async () => {
    // well past the 300 s tolerance (a loaded machine may take a second or more between here and the check)
    const now = Math.floor(Date.now() / 1000);
    const future = `evt_future_${randomUUID()}`;
    const payload = eventJson({ id: future, type: 'fixture.ping' });
    const res = await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET, now + 320)).expect(400);
    expect(res.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    expect((await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET, now + 600)).expect(400)).body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    expect((await sql.query(`SELECT id FROM webhook_events WHERE id = $1`, [future])).length).toBe(0);

    const skewed = `evt_skew_${randomUUID()}`;
    const ok = eventJson({ id: skewed, type: 'fixture.ping' });
    await deliver(t, '/webhooks/stripe', ok, signature(ok, PLATFORM_SECRET, now + 60)).expect(200);
    expect((await sql.query(`SELECT id FROM webhook_events WHERE id = $1`, [skewed])).length).toBe(1);
  });
});
