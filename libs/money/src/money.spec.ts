import fc from 'fast-check';
import { Money } from './money.js';
import { CurrencyMismatchError, InvalidAmountError, InvalidCurrencyError, MoneyError } from './money.errors.js';

const usd = (minor: bigint) => Money.of(minor, 'USD');
const eur = (minor: bigint) => Money.of(minor, 'EUR');

describe('Money', () => {
  it('normalises the currency and keeps exact minor units', () => {
    const m = Money.of(9_007_199_254_740_993n, 'usd');
    expect(m.currency).toBe('USD');
    expect(m.minor).toBe(9_007_199_254_740_993n);
  });

  it('rejects garbage currencies and non-bigint amounts', () => {
    expect(() => Money.of(1n, 'US')).toThrow(InvalidCurrencyError);
    expect(() => Money.of(1n, '$$$')).toThrow(InvalidCurrencyError);
    // A plain-JS caller passing a number must not slip through.
    expect(() => Money.of(1 as unknown as bigint, 'USD')).toThrow(InvalidAmountError);
  });

  it('is immutable', () => {
    const m = usd(100n);
    expect(Object.isFrozen(m)).toBe(true);
    expect(() => {
      (m as unknown as { minor: bigint }).minor = 5n;
    }).toThrow(TypeError);
    m.add(usd(1n));
    expect(m.minor).toBe(100n);
  });

  it('zero', () => {
    const z = Money.zero('jpy');
    expect(z.minor).toBe(0n);
    expect(z.currency).toBe('JPY');
    expect(z.isZero()).toBe(true);
  });

  it('adds, subtracts, negates, multiplies', () => {
    expect(usd(150n).add(usd(275n)).minor).toBe(425n);
    expect(usd(150n).subtract(usd(275n)).minor).toBe(-125n);
    expect(usd(150n).negate().minor).toBe(-150n);
    expect(usd(-150n).abs().minor).toBe(150n);
    expect(usd(199n).multiply(3n).minor).toBe(597n);
    expect(usd(199n).multiply(-2n).minor).toBe(-398n);
    expect(usd(2n ** 60n).multiply(2n ** 10n).minor).toBe(2n ** 70n);
    expect(() => usd(1n).multiply(2 as unknown as bigint)).toThrow(InvalidAmountError);
  });

  it('sign predicates', () => {
    expect([usd(-1n).isNegative(), usd(-1n).isZero(), usd(-1n).isPositive()]).toEqual([true, false, false]);
    expect([usd(0n).isNegative(), usd(0n).isZero(), usd(0n).isPositive()]).toEqual([false, true, false]);
    expect([usd(1n).isNegative(), usd(1n).isZero(), usd(1n).isPositive()]).toEqual([false, false, true]);
  });

  it('compares within one currency', () => {
    expect(usd(1n).compare(usd(2n))).toBe(-1);
    expect(usd(2n).compare(usd(2n))).toBe(0);
    expect(usd(3n).compare(usd(2n))).toBe(1);
    expect(usd(1n).lessThan(usd(2n))).toBe(true);
    expect(usd(2n).lessThan(usd(2n))).toBe(false);
    expect(usd(2n).lessThanOrEqual(usd(2n))).toBe(true);
    expect(usd(3n).greaterThan(usd(2n))).toBe(true);
    expect(usd(2n).greaterThan(usd(2n))).toBe(false);
    expect(usd(2n).greaterThanOrEqual(usd(2n))).toBe(true);
    expect(usd(5n).min(usd(3n)).minor).toBe(3n);
    expect(usd(5n).max(usd(3n)).minor).toBe(5n);
  });

  it('equals is false across currencies rather than throwing', () => {
    expect(usd(100n).equals(Money.of(100n, 'usd'))).toBe(true);
    expect(usd(100n).equals(usd(101n))).toBe(false);
    expect(usd(100n).equals(eur(100n))).toBe(false);
  });

  it('throws CurrencyMismatchError with its code and both currencies', () => {
    let caught: unknown;
    try {
      usd(1n).add(eur(1n));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CurrencyMismatchError);
    expect(caught).toBeInstanceOf(MoneyError);
    const error = caught as CurrencyMismatchError;
    expect(error.code).toBe('MONEY.CURRENCY_MISMATCH');
    expect([error.left, error.right]).toEqual(['USD', 'EUR']);
    expect(error.name).toBe('CurrencyMismatchError');
  });

  it('serialises the amount as a string so bigint survives JSON', () => {
    const m = Money.of(2n ** 64n + 7n, 'KWD');
    expect(m.toJSON()).toEqual({ amount: '18446744073709551623', currency: 'KWD' });
    const json = JSON.stringify({ total: m });
    expect(json).toBe('{"total":{"amount":"18446744073709551623","currency":"KWD"}}');
    expect(Money.fromJSON(JSON.parse(json).total).equals(m)).toBe(true);
  });

  it('fromJSON rejects non-integer amounts', () => {
    expect(() => Money.fromJSON({ amount: '12.5', currency: 'USD' })).toThrow(InvalidAmountError);
    expect(() => Money.fromJSON({ amount: '', currency: 'USD' })).toThrow(InvalidAmountError);
    expect(() => Money.fromJSON({ amount: 12 as unknown as string, currency: 'USD' })).toThrow(InvalidAmountError);
  });

  it('toString reads as the display format', () => {
    expect(String(Money.of(-1234n, 'USD'))).toBe('USD -12.34');
  });

  describe('properties', () => {
    const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'GBP', 'CLP', 'BHD');
    const twoDifferentCurrencies = fc.tuple(currency, currency).filter(([a, b]) => a !== b);
    const minor = fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n });

    it('every cross-currency operation throws CurrencyMismatchError', () => {
      fc.assert(
        fc.property(twoDifferentCurrencies, minor, minor, ([ca, cb], a, b) => {
          const left = Money.of(a, ca);
          const right = Money.of(b, cb);
          expect(() => left.add(right)).toThrow(CurrencyMismatchError);
          expect(() => left.subtract(right)).toThrow(CurrencyMismatchError);
          expect(() => left.compare(right)).toThrow(CurrencyMismatchError);
          expect(() => left.lessThan(right)).toThrow(CurrencyMismatchError);
          expect(() => left.greaterThan(right)).toThrow(CurrencyMismatchError);
          expect(left.equals(right)).toBe(false);
        }),
      );
    });

    it('add and subtract are exact inverses within one currency', () => {
      fc.assert(
        fc.property(currency, minor, minor, (c, a, b) => {
          const left = Money.of(a, c);
          const right = Money.of(b, c);
          expect(left.add(right).minor).toBe(a + b);
          expect(left.add(right).subtract(right).equals(left)).toBe(true);
          expect(left.subtract(right).equals(right.subtract(left).negate())).toBe(true);
          expect(left.compare(right) + right.compare(left)).toBe(0);
        }),
      );
    });
  });
});
