import fc from 'fast-check';
import { assertChargeableUnitAmount, parseListingCurrency, parseUnitAmount } from './listing-input.js';
import { Listing } from './listing.entity.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('parseUnitAmount', () => {
  it('accepts integers as numbers or digit strings', () => {
    expect(parseUnitAmount(1999)).toBe(1999n);
    expect(parseUnitAmount('1999')).toBe(1999n);
    expect(parseUnitAmount(1)).toBe(1n);
    expect(parseUnitAmount('99999999')).toBe(99_999_999n);
  });

  it.each([0, -1, 19.99, '19.99', '', 'abc', '-5', '1e3', null, true, {}, [], Number.NaN, '0', ' 100', '100 ', '\t100', '100\n', '1 00'])('refuses %p as LISTINGS.INVALID_UNIT_AMOUNT', (value) => {
    expect(code(() => parseUnitAmount(value))).toBe('LISTINGS.INVALID_UNIT_AMOUNT');
  });

  it.each([100_000_000, '100000000', '123456789012345678901234', 1e300])('refuses %p above Stripe maximum as LISTINGS.AMOUNT_TOO_LARGE', (value) => {
    expect(code(() => parseUnitAmount(value))).toBe('LISTINGS.AMOUNT_TOO_LARGE');
  });

  it('property: every integer in range round-trips, as number and as string', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), (n) => {
        expect(parseUnitAmount(n)).toBe(BigInt(n));
        expect(parseUnitAmount(String(n))).toBe(BigInt(n));
      }),
    );
  });
});

describe('parseListingCurrency', () => {
  it('upper-cases and refuses malformed codes', () => {
    expect(parseListingCurrency('jpy')).toBe('JPY');
    expect(code(() => parseListingCurrency('usdollar'))).toBe('LISTINGS.INVALID_CURRENCY');
    expect(code(() => parseListingCurrency('XYZ'))).toBe('LISTINGS.INVALID_CURRENCY');
  });
});

describe('Listing.deactivate', () => {
  it('goes active -> inactive once', () => {
    const listing = Object.assign(new Listing(), { status: 'active', deactivatedAt: null });
    const at = new Date('2025-01-01T00:00:00Z');
    expect(listing.deactivate(at)).toBe(true);
    expect(listing).toEqual(expect.objectContaining({ status: 'inactive', deactivatedAt: at }));
    expect(listing.deactivate(new Date())).toBe(false);
    expect(listing.deactivatedAt).toBe(at);
  });
});

describe('assertChargeableUnitAmount', () => {
  it('refuses a three-decimal unit amount whose last digit is not 0, for every such currency', () => {
    for (const currency of ['BHD', 'JOD', 'KWD', 'OMR', 'TND']) {
      expect(code(() => assertChargeableUnitAmount(12_345n, currency))).toBe('LISTINGS.AMOUNT_GRANULARITY');
      expect(code(() => assertChargeableUnitAmount(12_340n, currency))).toBeUndefined();
    }
  });

  it('accepts a unit below the minimum charge: a cart of several reaches it (the checkout checks the total)', () => {
    expect(code(() => assertChargeableUnitAmount(1n, 'USD'))).toBeUndefined();
    expect(code(() => assertChargeableUnitAmount(1n, 'JPY'))).toBeUndefined();
    expect(code(() => assertChargeableUnitAmount(10n, 'KWD'))).toBeUndefined();
  });
});
