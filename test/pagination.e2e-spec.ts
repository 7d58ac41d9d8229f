import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createListing } from './factories/seller.factory.js';
import { inboxSettled } from './support/inbox.js';
import { sqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { deliver, eventJson, signature } from './support/webhooks.js';
import { PLATFORM_SECRET } from './support/test-app.js';

type Item = { [key: string]: unknown };

describe('lists: { data, hasMore, nextCursor }, paged with ?limit= and ?startingAfter=', () => {
  let t: TestApp;
  let seller: PrincipalWithKey;
  let buyer: PrincipalWithKey;
  const listingIds: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    seller = await createPrincipal(t, 'seller');
    buyer = await createPrincipal(t, 'buyer');
    for (let i = 0; i < 7; i++) listingIds.push(await createListing(t, seller, { unitAmount: 1000 + i, title: `Item ${i}` }));
    for (let i = 0; i < 4; i++)
      await t.http
        .post(`/admin/principals/${seller.id}/api-keys`)
        .set(bearer(t.adminKey))
        .send({ label: `key ${i}` })
        .expect(201);
    // sellers with and without a requirements deadline (the sellers list orders by it first)
    const sellerIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await createPrincipal(t, 'seller');
      await t.http.post('/sellers/me/connected-account').set(bearer(s.key)).send({ country: 'US' }).expect(201);
      sellerIds.push(s.id);
    }
    // as Stripe's requirements would set them (two sellers share a deadline: the tie is broken by creation)
    // only once every event about the new accounts is worked: a later sync would overwrite the deadlines
    const sql = sqlClient(t.databaseUrl);
    await inboxSettled(t, sql);
    await sql.query(`UPDATE seller_accounts SET current_deadline = now() + interval '2 days' WHERE seller_id = ANY($1)`, [[sellerIds[1], sellerIds[3]]]);
    await sql.query(`UPDATE seller_accounts SET current_deadline = now() + interval '1 day' WHERE seller_id = $1`, [sellerIds[4]]);
    await sql.end();
    for (let i = 0; i < 5; i++) {
      const payload = eventJson({ id: `evt_paging_${i}_${Date.now()}`, type: 'fixture.paging' });
      await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET)).expect(200);
    }
  });
  afterAll(() => t?.close());

  /** Every page of a list at `limit`, as a client pages: following nextCursor until hasMore is false. */
  async function pageThrough(path: string, query: Record<string, string | number>, key: string, limit: number) {
    const pages: Array<{ data: Item[]; hasMore: boolean; nextCursor: string | null }> = [];
    let startingAfter: string | undefined;
    for (;;) {
      const res = await t.http
        .get(path)
        .query({ ...query, limit, ...(startingAfter ? { startingAfter } : {}) })
        .set(bearer(key))
        .expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'hasMore', 'nextCursor']);
      pages.push(res.body);
      if (!res.body.hasMore) break;
      expect(res.body.nextCursor).toEqual(expect.any(String));
      startingAfter = res.body.nextCursor;
      if (pages.length > 100) throw new Error(`${path} never ends`);
    }
    return pages;
  }

  it('pages through active listings newest first, each exactly once, hasMore false at the end', async () => {
    const pages = await pageThrough('/listings', { sellerId: seller.id }, buyer.key, 3);
    expect(pages.map((p) => p.data.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.flatMap((p) => p.data.map((l) => l.id))).toEqual([...listingIds].reverse());
  });

  it('a page boundary holds while the list changes: a deactivated or new item neither repeats nor shifts items', async () => {
    const first = (await t.http.get('/listings').query({ sellerId: seller.id, limit: 2 }).set(bearer(buyer.key)).expect(200)).body;
    await t.http.post(`/listings/${first.data[1].id}/deactivate`).set(bearer(seller.key)).expect(200);
    const added = await createListing(t, seller, { unitAmount: 999 });
    const rest = (await t.http.get('/listings').query({ sellerId: seller.id, limit: 200, startingAfter: first.nextCursor }).set(bearer(buyer.key)).expect(200)).body;
    expect(rest.data.map((l: Item) => l.id)).toEqual([...listingIds].reverse().slice(2));
    expect(rest.data.map((l: Item) => l.id)).not.toContain(added);
    expect(rest).toMatchObject({ hasMore: false, nextCursor: null });
  });

  // every list, at a page size of 1 and 2, gives what one big page gives, in the same order
  const lists: Array<[string, () => [string, Record<string, string>, string]]> = [
    ['principals', () => ['/admin/principals', {}, t.adminKey]],
    ['principals of a role', () => ['/admin/principals', { role: 'seller' }, t.adminKey]],
    ["a principal's API keys", () => [`/admin/principals/${seller.id}/api-keys`, {}, t.adminKey]],
    ['sellers', () => ['/admin/sellers', {}, t.adminKey]],
    ['webhook events', () => ['/admin/webhook-events', {}, t.adminKey]],
    ['ledger accounts', () => ['/admin/ledger/accounts', {}, t.adminKey]],
    ['listings', () => ['/listings', {}, buyer.key]],
  ];
  it.each(lists)('%s: small pages list each item once, in the order of one big page', async (_name, route) => {
    const [path, query, key] = route();
    const [all] = await pageThrough(path, query, key, 200);
    expect(all!.hasMore).toBe(false);
    expect(all!.data.length).toBeGreaterThan(2);
    for (const limit of [1, 2]) {
      const pages = await pageThrough(path, query, key, limit);
      expect(pages.flatMap((p) => p.data)).toEqual(all!.data);
      expect(pages.slice(0, -1).every((p) => p.data.length === limit && p.hasMore)).toBe(true);
    }
  });

  it('sellers come by requirements deadline, soonest first, then the rest oldest first', async () => {
    const [all] = await pageThrough('/admin/sellers', {}, t.adminKey, 200);
    const deadlines = all!.data.map((s) => (s.requirements as { currentDeadline: string | null }).currentDeadline);
    const dated = deadlines.filter((d) => d !== null);
    expect(dated).toHaveLength(3);
    expect(deadlines.slice(0, 3)).toEqual(dated);
    expect([...dated].sort()).toEqual(dated);
  });

  it('ledger entries of a reference answer the same shape', async () => {
    const res = await t.http.get('/admin/ledger/entries').query({ referenceType: 'order', referenceId: 'none-such' }).set(bearer(t.adminKey)).expect(200);
    expect(res.body).toEqual({ data: [], hasMore: false, nextCursor: null });
  });

  it('a cursor that is not one of this list is 400 PAGINATION.INVALID_CURSOR', async () => {
    const listingCursor = (await t.http.get('/listings').query({ limit: 1 }).set(bearer(buyer.key)).expect(200)).body.nextCursor;
    const eventCursor = (await t.http.get('/admin/webhook-events').query({ limit: 1 }).set(bearer(t.adminKey)).expect(200)).body.nextCursor;
    const cases: Array<[string, string]> = [
      ['/admin/principals', 'not-a-cursor'],
      ['/admin/principals', 'bm90IGEgY3Vyc29y'], // base64url of "not a cursor"
      ['/admin/principals', '!!!'],
      ['/admin/principals', 'x'.repeat(500)],
      ['/admin/principals', listingCursor], // a listing's id names no principal
      ['/admin/sellers', eventCursor],
      ['/admin/ledger/accounts', listingCursor],
    ];
    for (const [path, cursor] of cases) {
      const res = await t.http.get(path).query({ startingAfter: cursor }).set(bearer(t.adminKey));
      expect({ path, cursor, status: res.status, code: res.body.error?.code }).toEqual({ path, cursor, status: 400, code: 'PAGINATION.INVALID_CURSOR' });
    }
  });

  it('a bad limit is said once, with a code', async () => {
    for (const limit of ['abc', '0', '201', '1.5', '-1', '1e2', '', ' 5']) {
      const res = await t.http.get(`/listings?limit=${encodeURIComponent(limit)}`).set(bearer(buyer.key));
      expect({ limit, status: res.status, error: res.body.error }).toEqual({
        limit,
        status: 400,
        error: {
          code: 'PAGINATION.INVALID_LIMIT',
          message: 'limit must be an integer from 1 to 200',
          details: [{ field: 'limit', problems: ['limit must be an integer from 1 to 200'], code: 'PAGINATION.INVALID_LIMIT' }],
          requestId: expect.any(String),
        },
      });
    }
    const twice = await t.http.get('/listings?limit=1&limit=2').set(bearer(buyer.key)).expect(400);
    expect(twice.body.error.code).toBe('PAGINATION.INVALID_LIMIT');
    // with another field wrong too: VALIDATION_FAILED, each field's problem once
    const both = await t.http.get('/listings?limit=abc&sellerId=nope').set(bearer(buyer.key)).expect(400);
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    expect(both.body.error.details).toEqual(
      expect.arrayContaining([{ field: 'limit', problems: ['limit must be an integer from 1 to 200'], code: 'PAGINATION.INVALID_LIMIT' }, expect.objectContaining({ field: 'sellerId' })]),
    );
    for (const ok of ['1', '200', '050']) await t.http.get(`/listings?limit=${ok}`).set(bearer(buyer.key)).expect(200);
    // offset paging is gone: asking for it is refused, not ignored
    expect((await t.http.get('/listings?offset=5').set(bearer(buyer.key)).expect(400)).body.error.code).toBe('UNKNOWN_FIELD');
  });
});
