import { ListingsService } from '../apps/marketplace/src/listings/listings.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('listings', () => {
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

  const create = (seller: PrincipalWithKey, body: object) => t.http.post('/listings').set(bearer(seller.key)).send(body);

  it('a seller creates listings in USD, JPY and KWD; amounts come back as strings of minor units', async () => {
    const usd = await create(sellerA, { title: '  Stoneware mug ', unitAmount: 1999, currency: 'usd' }).expect(201);
    expect(usd.body).toEqual(
      expect.objectContaining({ sellerId: sellerA.id, title: 'Stoneware mug', unitAmount: '1999', currency: 'USD', display: 'USD 19.99', status: 'active', deactivatedAt: null }),
    );
    const jpy = await create(sellerA, { title: 'Teapot', unitAmount: '4500', currency: 'JPY' }).expect(201);
    expect(jpy.body).toEqual(expect.objectContaining({ unitAmount: '4500', display: 'JPY 4500' }));
    // the largest KWD amount Stripe takes: the last digit of a three-decimal amount is 0
    const kwd = await create(sellerB, { title: 'Bowl', unitAmount: '99999990', currency: 'KWD' }).expect(201);
    expect(kwd.body).toEqual(expect.objectContaining({ unitAmount: '99999990', display: 'KWD 99999.990' }));
    // a unit below Stripe's minimum charge is accepted: five of them are a 0.50 USD cart
    const sticker = await create(sellerA, { title: 'Sticker', unitAmount: 10, currency: 'USD' }).expect(201);
    expect(sticker.body.unitAmount).toBe('10');
    await t.http.post(`/listings/${sticker.body.id}/deactivate`).set(bearer(sellerA.key)).expect(200);
  });

  it('refuses bad input with 400 and a code, and creates nothing', async () => {
    const before = (await t.http.get('/listings').query({ sellerId: sellerB.id }).set(bearer(buyer.key)).expect(200)).body.data.length;
    const cases: Array<[object, string]> = [
      [{ title: 'x', unitAmount: 19.99, currency: 'USD' }, 'LISTINGS.INVALID_UNIT_AMOUNT'],
      [{ title: 'x', unitAmount: '19.99', currency: 'USD' }, 'LISTINGS.INVALID_UNIT_AMOUNT'],
      [{ title: 'x', unitAmount: 0, currency: 'USD' }, 'LISTINGS.INVALID_UNIT_AMOUNT'],
      [{ title: 'x', unitAmount: -100, currency: 'USD' }, 'LISTINGS.INVALID_UNIT_AMOUNT'],
      [{ title: 'x', unitAmount: 100_000_000, currency: 'USD' }, 'LISTINGS.AMOUNT_TOO_LARGE'],
      [{ title: 'x', unitAmount: 99_999_999, currency: 'KWD' }, 'LISTINGS.AMOUNT_GRANULARITY'],
      [{ title: 'x', unitAmount: '12345', currency: 'bhd' }, 'LISTINGS.AMOUNT_GRANULARITY'],
      [{ title: 'x', unitAmount: '1000000000000000000000', currency: 'USD' }, 'LISTINGS.AMOUNT_TOO_LARGE'],
      [{ title: 'x', unitAmount: 100, currency: 'dollars' }, 'LISTINGS.INVALID_CURRENCY'],
      [{ title: '   ', unitAmount: 100, currency: 'USD' }, 'VALIDATION_FAILED'],
      [{ title: 'x', currency: 'USD' }, 'VALIDATION_FAILED'],
      [{ title: 'x', unitAmount: 100, currency: 'USD', status: 'inactive' }, 'UNKNOWN_FIELD'],
    ];
    for (const [body, code] of cases) {
      const res = await create(sellerB, body).expect(400);
      expect({ body, code: res.body.error.code }).toEqual({ body, code });
    }
    expect((await t.http.get('/listings').query({ sellerId: sellerB.id }).set(bearer(buyer.key)).expect(200)).body.data).toHaveLength(before);
  });

  it('only sellers create listings', async () => {
    await t.http.post('/listings').set(bearer(buyer.key)).send({ title: 'x', unitAmount: 100, currency: 'USD' }).expect(403);
    await t.http.post('/listings').send({ title: 'x', unitAmount: 100, currency: 'USD' }).expect(401);
  });

  it('a seller deactivates only their own listings; others get 404 and nothing changes', async () => {
    const listing = (await create(sellerA, { title: 'Vase', unitAmount: 5000, currency: 'EUR' }).expect(201)).body;
    const foreign = await t.http.post(`/listings/${listing.id}/deactivate`).set(bearer(sellerB.key)).expect(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    await t.http.post(`/listings/${listing.id}/deactivate`).set(bearer(buyer.key)).expect(403);
    expect((await t.http.get(`/listings/${listing.id}`).set(bearer(buyer.key)).expect(200)).body.status).toBe('active');

    const done = await t.http.post(`/listings/${listing.id}/deactivate`).set(bearer(sellerA.key)).expect(200);
    expect(done.body).toEqual(expect.objectContaining({ status: 'inactive', deactivatedAt: expect.any(String) }));
    const again = await t.http.post(`/listings/${listing.id}/deactivate`).set(bearer(sellerA.key)).expect(200);
    expect(again.body.deactivatedAt).toBe(done.body.deactivatedAt);

    // gone for buyers and other sellers, still visible to its seller and admins
    await t.http.get(`/listings/${listing.id}`).set(bearer(buyer.key)).expect(404);
    await t.http.get(`/listings/${listing.id}`).set(bearer(sellerB.key)).expect(404);
    expect((await t.http.get(`/listings/${listing.id}`).set(bearer(sellerA.key)).expect(200)).body.status).toBe('inactive');
    await t.http.get(`/listings/${listing.id}`).set(bearer(t.adminKey)).expect(200);
    const list = await t.http.get('/listings').query({ sellerId: sellerA.id }).set(bearer(buyer.key)).expect(200);
    expect(list.body.data.map((l: { id: string }) => l.id)).not.toContain(listing.id);
    await t.http.post(`/listings/not-a-uuid/deactivate`).set(bearer(sellerA.key)).expect(404);
  });

  it('anyone with a key lists active listings, by seller', async () => {
    const all = await t.http.get('/listings').set(bearer(buyer.key)).expect(200);
    expect(all.body.data.every((l: { status: string }) => l.status === 'active')).toBe(true);
    const a = await t.http.get('/listings').query({ sellerId: sellerA.id }).set(bearer(sellerB.key)).expect(200);
    expect(a.body.data.map((l: { title: string }) => l.title).sort()).toEqual(['Stoneware mug', 'Teapot']);
    const page = await t.http.get('/listings').query({ limit: 1 }).set(bearer(buyer.key)).expect(200);
    expect(page.body.data).toHaveLength(1);
    await t.http.get('/listings').query({ sellerId: 'nope' }).set(bearer(buyer.key)).expect(400);
    await t.http.get('/listings').expect(401);
  });

  it('getActiveForCheckout returns active listings with Money prices, and names the unavailable ones', async () => {
    const service = t.app.get(ListingsService);
    const a = (await create(sellerA, { title: 'Plate', unitAmount: 1200, currency: 'JPY' }).expect(201)).body;
    const b = (await create(sellerB, { title: 'Cup', unitAmount: '250', currency: 'KWD' }).expect(201)).body;
    const got = await service.getActiveForCheckout([b.id, a.id, b.id]);
    expect(got.map((l) => [l.id, l.sellerId, l.unitPrice.minor, l.unitPrice.currency])).toEqual([
      [b.id, sellerB.id, 250n, 'KWD'],
      [a.id, sellerA.id, 1200n, 'JPY'],
    ]);
    await t.http.post(`/listings/${a.id}/deactivate`).set(bearer(sellerA.key)).expect(200);
    const missing = '6d0f2c9e-5b1a-4f5e-9c7d-2a3b4c5d6e7f';
    await expect(service.getActiveForCheckout([a.id, b.id, missing, 'junk'])).rejects.toMatchObject({
      code: 'LISTINGS.NOT_AVAILABLE',
      kind: 'unprocessable',
      details: { listingIds: [a.id, missing, 'junk'] },
    });
  });
});
