import { Money } from '@app/money';
import { FeePolicyService } from '../apps/marketplace/src/fees/fee-policy.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('fees: platform default and per-seller overrides', () => {
  let t: TestApp;
  let fees: FeePolicyService;
  let seller: PrincipalWithKey;
  let other: PrincipalWithKey;
  let buyer: PrincipalWithKey;
  const path = (id: string) => `/admin/sellers/${id}/fee-policy`;

  beforeAll(async () => {
    t = await startTestApp({ env: { PLATFORM_FEE_BPS: '1000', PLATFORM_FEE_FIXED_BY_CURRENCY: '{"USD":30,"EUR":25}' } });
    fees = t.app.get(FeePolicyService);
    seller = await createPrincipal(t, 'seller');
    other = await createPrincipal(t, 'seller');
    buyer = await createPrincipal(t, 'buyer');
  });
  afterAll(() => t?.close());

  it('applies the platform default from config to a seller without an override', async () => {
    const res = await t.http.get(path(seller.id)).set(bearer(t.adminKey)).expect(200);
    expect(res.body).toEqual({ sellerId: seller.id, source: 'default', basisPoints: 1000, fixedAmounts: { EUR: '25', USD: '30' }, fixedOtherCurrencies: '0' });
    const q = await fees.quote(seller.id, Money.of(10_000n, 'USD'));
    expect([q.fee.minor, q.sellerShare.minor, q.policy.source]).toEqual([1_030n, 8_970n, 'default']);
    const jpy = await fees.quote(seller.id, Money.of(1_005n, 'JPY'));
    expect([jpy.fee.minor, jpy.sellerShare.minor]).toEqual([101n, 904n]); // 100.5 rounds half up, no fixed part in JPY
  });

  it('an admin override replaces the default for that seller only; DELETE falls back', async () => {
    const put = await t.http
      .put(path(seller.id))
      .set(bearer(t.adminKey))
      .send({ basisPoints: 500, fixedAmounts: { kwd: '100', JPY: 10 } })
      .expect(200);
    expect(put.body).toEqual({ sellerId: seller.id, source: 'seller', basisPoints: 500, fixedAmounts: { JPY: '10', KWD: '100' }, fixedOtherCurrencies: '0' });
    expect((await t.http.get(path(seller.id)).set(bearer(t.adminKey)).expect(200)).body.source).toBe('seller');

    const kwd = await fees.quote(seller.id, Money.of(12_340n, 'KWD'));
    expect([kwd.fee.minor, kwd.sellerShare.minor]).toEqual([720n, 11_620n]); // 617 fils -> 620 (KWD takes multiples of 10), + 100
    const usd = await fees.quote(seller.id, Money.of(10_000n, 'USD'));
    expect(usd.fee.minor).toBe(500n); // the override lists no USD fixed part
    expect((await fees.quote(other.id, Money.of(10_000n, 'USD'))).fee.minor).toBe(1_030n);

    const again = await t.http.put(path(seller.id)).set(bearer(t.adminKey)).send({ basisPoints: 0 }).expect(200);
    expect(again.body.fixedAmounts).toEqual({});
    expect((await fees.quote(seller.id, Money.of(10_000n, 'USD'))).fee.minor).toBe(0n);

    const removed = await t.http.delete(path(seller.id)).set(bearer(t.adminKey)).expect(200);
    expect(removed.body.source).toBe('default');
    await t.http.delete(path(seller.id)).set(bearer(t.adminKey)).expect(200);
    expect((await fees.quote(seller.id, Money.of(10_000n, 'USD'))).fee.minor).toBe(1_030n);
  });

  it('refuses bad policies with codes and changes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ basisPoints: 10_001 }, 'VALIDATION_FAILED'],
      [{ basisPoints: 12.5 }, 'VALIDATION_FAILED'],
      [{}, 'VALIDATION_FAILED'],
      [{ basisPoints: 100, fixedAmounts: { USD: 0.3 } }, 'FEES.INVALID_FIXED_AMOUNTS'],
      [{ basisPoints: 100, fixedAmounts: { DOLLARS: 3 } }, 'FEES.INVALID_FIXED_AMOUNTS'],
      [{ basisPoints: 100, fixedAmounts: { USD: -3 } }, 'FEES.INVALID_FIXED_AMOUNTS'],
      // KWD amounts end in 0 at Stripe: a fixed part of 0.105 KWD could never be charged
      [{ basisPoints: 100, fixedAmounts: { KWD: 105 } }, 'FEES.INVALID_FIXED_AMOUNTS'],
      [{ basisPoints: 100, extra: true }, 'UNKNOWN_FIELD'],
    ];
    for (const [body, code] of cases) {
      const res = await t.http
        .put(path(other.id))
        .set(bearer(t.adminKey))
        .send(body as object)
        .expect(400);
      expect(res.body.error.code).toBe(code);
    }
    expect((await t.http.get(path(other.id)).set(bearer(t.adminKey)).expect(200)).body.source).toBe('default');
  });

  it('answers 404 for a principal that is not a seller, 403 for non-admins', async () => {
    expect((await t.http.put(path(buyer.id)).set(bearer(t.adminKey)).send({ basisPoints: 1 }).expect(404)).body.error.code).toBe('FEES.SELLER_NOT_FOUND');
    await t.http.get(path('6d0f2c9e-5b1a-4f5e-9c7d-2a3b4c5d6e7f')).set(bearer(t.adminKey)).expect(404);
    await t.http.put(path(seller.id)).set(bearer(seller.key)).send({ basisPoints: 0 }).expect(403);
    await t.http.get(path(seller.id)).set(bearer(seller.key)).expect(403);
  });
});
