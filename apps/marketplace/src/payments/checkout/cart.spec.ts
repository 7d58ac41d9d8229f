import { amountGranularity, minimumChargeAmount, Money } from '@app/money';
import fc from 'fast-check';
import { quoteFee, type ResolvedFeePolicy } from '../../fees/fee-policy.js';
import type { CheckoutListing } from '../../listings/listings.service.js';
import { MAX_CHARGE_AMOUNT, mergeCartItems, priceCart, splitBySeller } from './cart.js';

const SELLERS = ['0b6a4c1e-2f3d-4a5b-8c7d-000000000001', '0b6a4c1e-2f3d-4a5b-8c7d-000000000002', '0b6a4c1e-2f3d-4a5b-8c7d-000000000003'];
const listing = (i: number, sellerId: string, unit: bigint, currency: string): CheckoutListing => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  sellerId,
  title: `item ${i}`,
  unitPrice: Money.of(unit, currency),
});

const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'GBP');
const policy: fc.Arbitrary<ResolvedFeePolicy> = fc.record({
  source: fc.constantFrom('default' as const, 'seller' as const),
  basisPoints: fc.integer({ min: 0, max: 10_000 }),
  fixedAmounts: fc.constant({}),
  fixedOtherCurrencies: fc.bigInt({ min: 0n, max: 10_000n }).map((n) => n * 10n), // a fixed part every currency can carry
});
const cart = currency.chain((cur) =>
  fc
    .array(fc.record({ seller: fc.integer({ min: 0, max: 2 }), unit: fc.bigInt({ min: 1n, max: 2_000_000n }), quantity: fc.integer({ min: 1, max: 20 }) }), { minLength: 1, maxLength: 12 })
    .map((items) => ({
      currency: cur,
      // unit amounts as listings accept them: multiples of 10 fils in KWD
      listings: items.map((it, i) => listing(i, SELLERS[it.seller]!, it.unit * amountGranularity(cur), cur)),
      items: items.map((it, i) => ({ listingId: listing(i, SELLERS[it.seller]!, it.unit * amountGranularity(cur), cur).id, quantity: it.quantity })),
    })),
);

describe('cart pricing and per-seller split (property)', () => {
  it('fee + seller share = each seller subtotal, subtotals add up to the gross, fees within [0, subtotal]; nothing lost to rounding', () => {
    fc.assert(
      fc.property(cart, fc.array(policy, { minLength: 3, maxLength: 3 }), ({ listings, items, currency: cur }, policies) => {
        const total = listings.reduce((s, l, i) => s + l.unitPrice.minor * BigInt(items[i]!.quantity), 0n);
        if (total > MAX_CHARGE_AMOUNT) {
          expect(() => priceCart(items, listings)).toThrow(expect.objectContaining({ code: 'CHECKOUT.AMOUNT_TOO_LARGE' }));
          return;
        }
        if (total < (minimumChargeAmount(cur) ?? 0n)) {
          expect(() => priceCart(items, listings)).toThrow(expect.objectContaining({ code: 'CHECKOUT.AMOUNT_TOO_SMALL' }));
          return;
        }
        const priced = priceCart(items, listings);
        expect(priced.total.equals(Money.of(total, cur))).toBe(true);
        const quotes = new Map(priced.subtotals.map((s) => [s.sellerId, quoteFee(s.subtotal, policies[SELLERS.indexOf(s.sellerId)]!)]));
        const splits = splitBySeller(priced, quotes);
        let gross = 0n;
        let fees = 0n;
        let shares = 0n;
        for (const s of splits) {
          expect(s.fee.add(s.sellerShare).equals(s.subtotal)).toBe(true);
          expect(s.fee.isNegative()).toBe(false);
          expect(s.fee.lessThanOrEqual(s.subtotal)).toBe(true);
          expect(s.fee.currency).toBe(cur);
          expect(s.fee.minor % amountGranularity(cur)).toBe(0n); // an application fee Stripe accepts
          expect(s.sellerShare.minor % amountGranularity(cur)).toBe(0n);
          gross += s.subtotal.minor;
          fees += s.fee.minor;
          shares += s.sellerShare.minor;
        }
        expect(gross).toBe(total);
        expect(fees + shares).toBe(total);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses mixed currencies, empty carts and quantities below 1', () => {
    const usd = listing(1, SELLERS[0]!, 100n, 'USD');
    const jpy = listing(2, SELLERS[0]!, 100n, 'JPY');
    expect(() =>
      priceCart(
        [
          { listingId: usd.id, quantity: 1 },
          { listingId: jpy.id, quantity: 1 },
        ],
        [usd, jpy],
      ),
    ).toThrow(expect.objectContaining({ code: 'CHECKOUT.MIXED_CURRENCIES' }));
    expect(() => mergeCartItems([])).toThrow(expect.objectContaining({ code: 'CHECKOUT.EMPTY_CART' }));
    for (const quantity of [0, -1, 1.5]) expect(() => mergeCartItems([{ listingId: usd.id, quantity }])).toThrow(expect.objectContaining({ code: 'CHECKOUT.INVALID_QUANTITY' }));
  });

  it("refuses a total below Stripe's minimum charge in its currency, with the minimum; many small units reach it", () => {
    const cent = listing(1, SELLERS[0]!, 1n, 'USD');
    let caught: unknown;
    try {
      priceCart([{ listingId: cent.id, quantity: 1 }], [cent]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'CHECKOUT.AMOUNT_TOO_SMALL', details: { currency: 'USD', minimum: '50', total: '1' } });
    const dime = listing(2, SELLERS[0]!, 10n, 'USD');
    expect(priceCart([{ listingId: dime.id, quantity: 5 }], [dime]).total.minor).toBe(50n); // 0.10 USD five times is fine
    const gbp = listing(3, SELLERS[0]!, 29n, 'GBP');
    expect(() => priceCart([{ listingId: gbp.id, quantity: 1 }], [gbp])).toThrow(expect.objectContaining({ code: 'CHECKOUT.AMOUNT_TOO_SMALL', details: expect.objectContaining({ minimum: '30' }) }));
    const yen = listing(4, SELLERS[0]!, 49n, 'JPY');
    expect(() => priceCart([{ listingId: yen.id, quantity: 1 }], [yen])).toThrow(expect.objectContaining({ code: 'CHECKOUT.AMOUNT_TOO_SMALL' }));
    expect(priceCart([{ listingId: yen.id, quantity: 2 }], [yen]).total.minor).toBe(98n);
  });

  it('refuses a KWD total whose last digit is not 0 (a listing stored before the rule)', () => {
    const old = listing(1, SELLERS[0]!, 12_345n, 'KWD');
    expect(() => priceCart([{ listingId: old.id, quantity: 1 }], [old])).toThrow(
      expect.objectContaining({ code: 'CHECKOUT.AMOUNT_GRANULARITY', details: { currency: 'KWD', granularity: '10', total: '12345' } }),
    );
    expect(priceCart([{ listingId: old.id, quantity: 2 }], [old]).total.minor).toBe(24_690n);
  });

  it('adds up the same listing given twice and stops at Stripe maximum exactly', () => {
    const l = listing(1, SELLERS[0]!, 33_333_333n, 'USD');
    expect(
      priceCart(
        [
          { listingId: l.id, quantity: 1 },
          { listingId: l.id, quantity: 2 },
        ],
        [l],
      ).total.minor,
    ).toBe(99_999_999n);
    expect(() => priceCart([{ listingId: l.id, quantity: 4 }], [l])).toThrow(expect.objectContaining({ code: 'CHECKOUT.AMOUNT_TOO_LARGE' }));
  });
});
