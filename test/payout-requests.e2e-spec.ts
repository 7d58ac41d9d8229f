// Issue 13, payout requests made by sellers: checked against the connected account's available
// balance at Stripe and the ledger's; refused with a code (nothing written) above the available,
// below the minimum or with nothing available; held (paying neither figure) when the ledger and
// Stripe differ; one open request per seller and currency, also under concurrent POSTs; the
// Idempotency-Key bound to the request it made; a seller sees only their own. Real app, real
// PostgreSQL, the sandbox; PAYOUT_MODE=reviewed keeps the sellers' funds on their balances.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { sellerWithFunds } from './support/payouts.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { paidCart, testAppForFile } from './support/transfers.js';

// USD's minimum from the per-currency list, far below the default for every other currency
const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_MINIMUM: '1000000', PAYOUT_MINIMUMS: 'usd:500,jpy:1000', PAYOUT_TWO_PERSON_THRESHOLD: '2000', TRANSFERS_HOLD_DAYS: '5' });
let sql: SqlClient;
beforeAll(() => {
  sql = sqlClient(t.databaseUrl);
});
afterAll(() => sql?.end());

const requestPayout = (seller: { key: string }, body: object, key: string = randomUUID()) => t.http.post('/sellers/me/payouts').set(bearer(seller.key)).set('Idempotency-Key', key).send(body);
const rowsOf = (sellerId: string) => sql.query<{ id: string; status: string }>(`SELECT id, status FROM payout_requests WHERE seller_id = $1`, [sellerId]);
const stripePayouts = async (account: string) => (await t.stripe.payouts.list({ limit: 100 }, { stripeAccount: account })).data;

describe('POST /sellers/me/payouts', () => {
  it('refuses above the available and below the minimum with nothing written; makes one request in review with both figures; a second is 409; the same key replays it', async () => {
    const s = await sellerWithFunds(t);
    expect(s.available).toBeGreaterThan(2000);

    const above = await requestPayout(s, { amount: s.available + 1 }).expect(422);
    expect(above.body.error.code).toBe('PAYOUTS.AMOUNT_ABOVE_AVAILABLE');
    const below = await requestPayout(s, { amount: 499, currency: 'usd' }).expect(422);
    expect(below.body.error).toMatchObject({ code: 'PAYOUTS.BELOW_MINIMUM', message: expect.stringContaining('minimum payout of USD 5.00') });
    expect((await requestPayout(s, { amount: '600' }).expect(400)).body.error.code).toBe('PAYOUTS.INVALID_AMOUNT');
    expect(await rowsOf(s.id)).toEqual([]);

    const key = randomUUID();
    const made = await requestPayout(s, {}, key).expect(201);
    expect(made.body).toMatchObject({
      sellerId: s.id,
      currency: 'USD',
      amount: String(s.available),
      origin: 'seller',
      status: 'pending_review',
      statusCode: null,
      stripeAvailable: String(s.available),
      ledgerAvailable: String(s.available),
      approvalsRequired: 2, // above PAYOUT_TWO_PERSON_THRESHOLD
      attempts: [],
    });
    const replay = await requestPayout(s, {}, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe(made.body.id);

    const second = await requestPayout(s, { amount: 600 }).expect(409);
    expect(second.body.error.code).toBe('PAYOUTS.OPEN_REQUEST_EXISTS');
    expect(await rowsOf(s.id)).toEqual([{ id: made.body.id, status: 'pending_review' }]);

    const audit = await sql.query(
      `SELECT action, actor_id, actor_role, after->>'status' AS status, after->>'amount' AS amount FROM audit_log WHERE subject_type = 'payout_request' AND subject_id = $1`,
      [made.body.id],
    );
    expect(audit).toEqual([{ action: 'created', actor_id: s.id, actor_role: 'seller', status: 'pending_review', amount: String(s.available) }]);

    const listed = (await t.http.get('/sellers/me/payouts').set(bearer(s.key)).expect(200)).body;
    expect(listed.data.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[made.body.id, 'pending_review']]);
    expect(await stripePayouts(s.account)).toEqual([]);
    await expectBooksMatchStripe(t);
  });

  it('concurrent POSTs with different keys make one request; the others are 409', async () => {
    const s = await sellerWithFunds(t);
    const answers = await Promise.all(Array.from({ length: 8 }, () => requestPayout(s, { amount: 1_000 })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === 'PAYOUTS.OPEN_REQUEST_EXISTS')).toBe(true);
    const rows = await rowsOf(s.id);
    expect(rows).toHaveLength(1);
    expect((await t.http.get('/sellers/me/payouts').set(bearer(s.key)).expect(200)).body.data[0]).toMatchObject({ amount: '1000', approvalsRequired: 1 });
    await expectBooksMatchStripe(t);
  });

  it('a ledger/Stripe difference holds the request with both figures in words, and no payout is made; once they agree, a recheck moves it to review', async () => {
    const s = await sellerWithFunds(t);
    // 100 more in the ledger than Stripe holds: a balanced entry put there on purpose
    const extra = (amount: number, key: string) =>
      sql.query(
        `WITH e AS (INSERT INTO ledger_entries (kind, reference_type, reference_id, idempotency_key) VALUES ('test', 'raw', $1, $1) RETURNING id)
         INSERT INTO ledger_lines (entry_id, account, seller_id, currency, amount)
         SELECT e.id, x.account, $2::uuid, 'USD', x.amount FROM e, (VALUES ('connected_cash_available', $3::bigint), ('seller_payable_available', -$3::bigint)) AS x(account, amount)`,
        [key, s.id, amount],
      );
    await extra(100, `mismatch-${s.id}`);

    const made = await requestPayout(s, {}).expect(201);
    expect(made.body).toMatchObject({
      status: 'held',
      statusCode: 'PAYOUTS.BALANCE_MISMATCH',
      amount: String(s.available),
      stripeAvailable: String(s.available),
      ledgerAvailable: String(s.available + 100),
    });
    const usd = (minor: number) => `USD ${(minor / 100).toFixed(2)}`;
    expect(made.body.statusReason).toContain(`Stripe reports ${usd(s.available)} available`);
    expect(made.body.statusReason).toContain(`the ledger ${usd(s.available + 100)} available`);

    const balance = (await t.http.get('/sellers/me/balance').set(bearer(s.key)).expect(200)).body;
    expect(balance.currencies).toEqual([
      expect.objectContaining({
        currency: 'USD',
        stripe: { available: String(s.available), pending: '0' },
        ledger: { available: String(s.available + 100), pending: '0' },
        matches: false,
        inReview: expect.objectContaining({ requestId: made.body.id, status: 'held' }),
        payouts: expect.stringMatching(new RegExp(`^A payout of ${usd(s.available)} is held: Held: Stripe reports`)),
      }),
    ]);
    // a recheck while they still differ keeps it held, and writes nothing (the figures are the same)
    expect((await t.http.post(`/admin/payouts/${made.body.id}/recheck`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).expect(200)).body.status).toBe('held');
    // the worker rechecks held requests too (PAYOUT_HELD_RECHECK_MS): still held, nothing written either
    await new Promise((r) => setTimeout(r, 600));
    expect(await stripePayouts(s.account)).toEqual([]);

    expect(await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY id`, [made.body.id])).toEqual([{ action: 'created' }]);

    // once they agree, the worker's recheck (or an admin's) moves it to review, once
    await extra(-100, `mismatch-undone-${s.id}`);
    const inReview = await waitFor(
      async () => {
        const r = (await t.http.get('/sellers/me/payouts').set(bearer(s.key)).expect(200)).body.data.find((x: { id: string }) => x.id === made.body.id);
        return r?.status === 'pending_review' ? r : undefined;
      },
      10_000,
      'the held request in review',
    );
    expect(inReview).toMatchObject({ statusCode: null, statusReason: null, ledgerAvailable: String(s.available) });
    expect((await t.http.post(`/admin/payouts/${made.body.id}/recheck`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).expect(200)).body.status).toBe('pending_review');
    const actions = await sql.query<{ action: string; actor_role: string }>(`SELECT action, actor_role FROM audit_log WHERE subject_id = $1 ORDER BY id`, [made.body.id]);
    expect(actions).toEqual([
      { action: 'created', actor_role: 'seller' },
      { action: 'rechecked', actor_role: 'system' },
    ]);
    expect(await stripePayouts(s.account)).toEqual([]);
    await expectBooksMatchStripe(t);
  });

  it("a seller sees only their own requests and cannot ask for another's; buyer and admin keys are refused on the seller routes", async () => {
    const a = await sellerWithFunds(t);
    const b = await createActiveSeller(t);
    const made = await requestPayout(a, { amount: 700 }).expect(201);
    expect((await t.http.get('/sellers/me/payouts').set(bearer(b.key)).expect(200)).body.data).toEqual([]);
    // there is no way to name another seller: the field is refused, and B has nothing to pay out
    expect((await requestPayout(b, { sellerId: a.id, amount: 700 }).expect(400)).body.error.code).toBe('UNKNOWN_FIELD');
    expect((await requestPayout(b, { amount: 700 }).expect(422)).body.error.code).toBe('PAYOUTS.NOTHING_AVAILABLE');
    expect(await rowsOf(b.id)).toEqual([]);
    expect(await rowsOf(a.id)).toEqual([{ id: made.body.id, status: 'pending_review' }]);

    const buyer = await createPrincipal(t, 'buyer');
    for (const key of [buyer.key, t.adminKey]) {
      expect((await t.http.post('/sellers/me/payouts').set(bearer(key)).set('Idempotency-Key', randomUUID()).send({}).expect(403)).body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
      expect((await t.http.get('/sellers/me/payouts').set(bearer(key)).expect(403)).body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
      expect((await t.http.get('/sellers/me/balance').set(bearer(key)).expect(403)).body.error.code).toBe('AUTH.FORBIDDEN_ROLE');
    }
    await expectBooksMatchStripe(t);
  });
});

describe('GET /sellers/me/balance', () => {
  it("shows Stripe's and the ledger's side by side, funds the platform holds with their release date, the minimum, and why in words", async () => {
    const a = await createActiveSeller(t, 'Held Pottery');
    const b = await createActiveSeller(t, 'Small Lamps');
    const buyer = await createPrincipal(t, 'buyer');
    const vase = await createListing(t, a, { unitAmount: 1_000, title: 'Vase' });
    const lamp = await createListing(t, b, { unitAmount: 1_200, title: 'Lamp' });
    // a multi-seller order: each seller's transfer held for TRANSFERS_HOLD_DAYS
    const order = await paidCart(t, buyer, [
      { listingId: vase, quantity: 1 },
      { listingId: lamp, quantity: 1 },
    ]);
    const held = (await t.http.get('/sellers/me/balance').set(bearer(a.key)).expect(200)).body;
    expect(held.stripeAccountId).toBe(a.account);
    const usd = held.currencies.find((c: { currency: string }) => c.currency === 'USD');
    expect(usd).toMatchObject({ stripe: { available: '0', pending: '0' }, ledger: { available: '0', pending: '0' }, matches: true, inReview: null, minimum: '500' });
    expect(usd.held).toEqual([expect.objectContaining({ orderId: order.id, releasesAt: expect.any(String) })]);
    const releasesAt = new Date(usd.held[0].releasesAt);
    expect(releasesAt.getTime() - Date.now()).toBeGreaterThan(4 * 86_400_000);
    expect(usd.heldTotal).toBe(usd.held[0].amount);
    expect(usd.payouts).toBe(
      `Nothing is available to pay out; USD ${(Number(usd.heldTotal) / 100).toFixed(2)} is held by the platform until its release (${usd.held[0].releasesAt.slice(0, 10)} first)`,
    );

    // a seller with a little available: below the minimum, in words
    const small = await sellerWithFunds(t, 520);
    expect(small.available).toBeLessThan(500);
    const below = (await t.http.get('/sellers/me/balance').set(bearer(small.key)).expect(200)).body.currencies[0];
    expect(below).toMatchObject({ stripe: { available: String(small.available), pending: '0' }, ledger: { available: String(small.available), pending: '0' }, matches: true });
    expect(below.payouts).toBe(`Below the minimum payout of USD 5.00: USD ${(small.available / 100).toFixed(2)} is available`);
    // and one whose request is in review
    const big = await sellerWithFunds(t);
    const made = await requestPayout(big, { amount: 1_500 }).expect(201);
    const review = (await t.http.get('/sellers/me/balance').set(bearer(big.key)).expect(200)).body.currencies[0];
    expect(review).toMatchObject({
      inReview: { requestId: made.body.id, amount: '1500', display: 'USD 15.00', status: 'pending_review', statusReason: null },
      payouts: 'A payout of USD 15.00 is in review',
    });
    await expectBooksMatchStripe(t);
  });
});
