import fc from 'fast-check';
import { computeFee } from './fee.js';
import { Money } from './money.js';
import { CurrencyMismatchError, InvalidAmountError, InvalidFeePolicyError } from './money.errors.js';

const usd = (minor: bigint) => Money.of(minor, 'USD');

describe('computeFee', () => {
  it('proportional plus fixed (2.9 % + 0.30 of 10.00 = 0.59)', () => {
    const fee = computeFee(usd(1000n), { basisPoints: 290, fixed: usd(30n) });
    expect(fee.equals(usd(59n))).toBe(true);
  });

  it.each([
    // amount, bps, exact proportional, expected
    [10n, 250, '0.25', 0n],
    [20n, 250, '0.5', 1n],
    [100n, 250, '2.5', 3n],
    [196n, 250, '4.9', 5n],
    [1n, 4999, '0.4999', 0n],
    [1n, 5000, '0.5', 1n],
    [3n, 5000, '1.5', 2n],
    [123_456n, 175, '2160.48', 2160n],
  ])('rounds half-up: %s minor units at %s bps (exact %s) -> %s', (amount, bps, _exact, expected) => {
    expect(computeFee(usd(amount), { basisPoints: bps, fixed: 0n }).minor).toBe(expected);
  });

  it('accepts bigint basis points and bigint fixed minor units', () => {
    expect(computeFee(usd(1000n), { basisPoints: 290n, fixed: 30n }).minor).toBe(59n);
  });

  it('works in zero- and three-decimal currencies', () => {
    expect(computeFee(Money.of(1000n, 'JPY'), { basisPoints: 360, fixed: 0n }).equals(Money.of(36n, 'JPY'))).toBe(true);
    // KWD takes multiples of 10 fils only: 10 % of 10.500 KWD is 1.050 (1050), of 1.050 it is 0.105 -> 0.110
    expect(computeFee(Money.of(10_500n, 'KWD'), { basisPoints: 1000, fixed: 0n }).minor).toBe(1_050n);
    expect(computeFee(Money.of(1_050n, 'KWD'), { basisPoints: 1000, fixed: 0n }).minor).toBe(110n);
    expect(computeFee(Money.of(1_040n, 'KWD'), { basisPoints: 1000, fixed: 0n }).minor).toBe(100n); // 104 -> 100
    expect(computeFee(Money.of(1_040n, 'KWD'), { basisPoints: 1000, fixed: 30n }).minor).toBe(130n);
  });

  it('refuses a fixed part a three-decimal currency cannot carry (last digit not 0)', () => {
    expect(() => computeFee(Money.of(1_000n, 'KWD'), { basisPoints: 0, fixed: 35n })).toThrow(InvalidFeePolicyError);
  });

  it('clamps to the amount when the fixed part exceeds a small charge', () => {
    expect(computeFee(usd(10n), { basisPoints: 290, fixed: usd(30n) }).minor).toBe(10n);
    expect(computeFee(usd(0n), { basisPoints: 290, fixed: usd(30n) }).minor).toBe(0n);
    expect(computeFee(usd(500n), { basisPoints: 10_000, fixed: usd(1n) }).minor).toBe(500n);
  });

  it('is zero for a zero policy', () => {
    expect(computeFee(usd(12_345n), { basisPoints: 0, fixed: 0n }).isZero()).toBe(true);
  });

  it('is exact for amounts above 2^53', () => {
    const amount = usd(2n ** 60n + 12_345n);
    // 1 % of 1152921504606859321 = 11529215046068593.21 -> 11529215046068593
    expect(computeFee(amount, { basisPoints: 100, fixed: 0n }).minor).toBe(11_529_215_046_068_593n);
  });

  it.each([-1, 10_001, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -1n, 10_001n])('rejects basis points %s', (bps) => {
    expect(() => computeFee(usd(100n), { basisPoints: bps, fixed: 0n })).toThrow(InvalidFeePolicyError);
  });

  it('rejects a negative fixed part', () => {
    expect(() => computeFee(usd(100n), { basisPoints: 0, fixed: -1n })).toThrow(InvalidFeePolicyError);
    expect(() => computeFee(usd(100n), { basisPoints: 0, fixed: usd(-1n) })).toThrow(InvalidFeePolicyError);
  });

  it('rejects a fixed part in another currency', () => {
    expect(() => computeFee(usd(100n), { basisPoints: 0, fixed: Money.of(1n, 'EUR') })).toThrow(CurrencyMismatchError);
  });

  it('rejects a negative amount', () => {
    expect(() => computeFee(usd(-100n), { basisPoints: 100, fixed: 0n })).toThrow(InvalidAmountError);
  });

  it('keeps the amount currency', () => {
    expect(computeFee(Money.of(100n, 'eur'), { basisPoints: 100, fixed: 5n }).currency).toBe('EUR');
  });

  describe('properties', () => {
    const amount = fc.oneof(fc.bigInt({ min: 0n, max: 100_000n }), fc.bigInt({ min: 0n, max: 2n ** 80n }));
    const policy = fc.record({
      basisPoints: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 0n, max: 10_000n })),
      fixed: fc.oneof(fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 0n, max: 2n ** 70n })),
    });

    it('is never negative and never above the amount', () => {
      fc.assert(
        fc.property(amount, policy, (a, p) => {
          const fee = computeFee(usd(a), p);
          expect(fee.currency).toBe('USD');
          expect(fee.minor >= 0n).toBe(true);
          expect(fee.minor <= a).toBe(true);
        }),
        { numRuns: 1000 },
      );
    });

    it('equals floor(x + 1/2) of the exact proportional fee plus fixed, when not clamped', () => {
      fc.assert(
        fc.property(amount, policy, (a, p) => {
          const bps = BigInt(p.basisPoints);
          // floor(a*bps/10000 + 1/2) == floor((2*a*bps + 10000) / 20000): a second, independent formula.
          const expected = (2n * a * bps + 10_000n) / 20_000n + p.fixed;
          const clamped = expected > a ? a : expected;
          expect(computeFee(usd(a), p).minor).toBe(clamped);
        }),
        { numRuns: 1000 },
      );
    });

    it('in three-decimal currencies: a granular amount gives a granular fee and seller share, fee + share = amount', () => {
      const threeDecimal = fc.constantFrom('BHD', 'JOD', 'KWD', 'OMR', 'TND');
      fc.assert(
        fc.property(threeDecimal, fc.bigInt({ min: 0n, max: 10_000_000n }), fc.integer({ min: 0, max: 10_000 }), fc.bigInt({ min: 0n, max: 10_000n }), (currency, tens, bps, fixedTens) => {
          const gross = Money.of(tens * 10n, currency);
          const fee = computeFee(gross, { basisPoints: bps, fixed: fixedTens * 10n });
          const share = gross.subtract(fee);
          expect(fee.minor % 10n).toBe(0n);
          expect(share.minor % 10n).toBe(0n);
          expect(fee.add(share).equals(gross)).toBe(true);
          expect(fee.minor >= 0n && fee.minor <= gross.minor).toBe(true);
        }),
        { numRuns: 1000 },
      );
    });

    it('is monotone in the amount', () => {
      fc.assert(
        fc.property(amount, fc.bigInt({ min: 0n, max: 10_000n }), policy, (a, delta, p) => {
          const smaller = computeFee(usd(a), p);
          const larger = computeFee(usd(a + delta), p);
          expect(smaller.lessThanOrEqual(larger)).toBe(true);
        }),
        { numRuns: 1000 },
      );
    });
  });
});
