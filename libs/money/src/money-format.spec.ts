import fc from 'fast-check';
import { currencyExponent } from './currency.js';
import { Money } from './money.js';
import { InvalidAmountError, InvalidCurrencyError } from './money.errors.js';
import { formatAmount, formatMoney, parseMoney } from './money-format.js';

describe('parseMoney', () => {
  it.each([
    ['12.34', 'USD', 1234n],
    ['12.3', 'USD', 1230n],
    ['12', 'USD', 1200n],
    ['0.01', 'USD', 1n],
    ['-0.01', 'USD', -1n],
    ['-12.34', 'usd', -1234n],
    ['007.50', 'EUR', 750n],
    ['-0', 'USD', 0n],
    ['1000', 'JPY', 1000n],
    ['-5', 'JPY', -5n],
    ['1.234', 'KWD', 1234n],
    ['1.2', 'KWD', 1200n],
    ['0.001', 'BHD', 1n],
    ['92233720368547758.07', 'USD', 9_223_372_036_854_775_807n],
    ['123456789012345678901234567890.12', 'USD', 12345678901234567890123456789012n],
  ])('parses %j %s as %s minor units', (text, currency, minor) => {
    const m = parseMoney(text, currency);
    expect(m.minor).toBe(minor);
    expect(m.currency).toBe(currency.toUpperCase());
  });

  it('keeps precision above 2^53, where a float would not', () => {
    // 2^53 + 1 minor units: a double rounds this to 2^53.
    expect(parseMoney('90071992547409.93', 'USD').minor).toBe(2n ** 53n + 1n);
    expect(parseMoney('9007199254740993', 'JPY').minor).toBe(2n ** 53n + 1n);
    expect(parseMoney('9007199254740.993', 'KWD').minor).toBe(2n ** 53n + 1n);
  });

  it.each([
    ['12.345', 'USD'],
    ['12.340', 'USD'],
    ['1.0', 'JPY'],
    ['1.2345', 'KWD'],
  ])('rejects %j in %s: more decimals than the currency has', (text, currency) => {
    expect(() => parseMoney(text, currency)).toThrow(InvalidAmountError);
  });

  it.each(['', '-', '.', '.5', '5.', '+5', '1e3', '1,000', '1 000', ' 12.34', '12.34 ', '12..3', '--1', '0x10', 'NaN', 'Infinity', '١٢', 'USD 12.34', '12.34USD'])('rejects junk %j', (text) => {
    expect(() => parseMoney(text, 'USD')).toThrow(InvalidAmountError);
  });

  it('rejects a bad currency', () => {
    expect(() => parseMoney('1.00', 'dollars')).toThrow(InvalidCurrencyError);
  });

  it('rejects non-string input from untyped callers', () => {
    expect(() => parseMoney(12.34 as unknown as string, 'USD')).toThrow(InvalidAmountError);
  });
});

describe('formatAmount / formatMoney', () => {
  it.each([
    [1234n, 'USD', '12.34', 'USD 12.34'],
    [5n, 'USD', '0.05', 'USD 0.05'],
    [-5n, 'USD', '-0.05', 'USD -0.05'],
    [0n, 'USD', '0.00', 'USD 0.00'],
    [100000n, 'EUR', '1000.00', 'EUR 1000.00'],
    [1000n, 'JPY', '1000', 'JPY 1000'],
    [-1000n, 'JPY', '-1000', 'JPY -1000'],
    [0n, 'JPY', '0', 'JPY 0'],
    [1234n, 'KWD', '1.234', 'KWD 1.234'],
    [7n, 'KWD', '0.007', 'KWD 0.007'],
    [-1234n, 'KWD', '-1.234', 'KWD -1.234'],
    [2n ** 53n + 1n, 'USD', '90071992547409.93', 'USD 90071992547409.93'],
  ])('%s %s -> %j / %j', (minor, currency, amount, display) => {
    const m = Money.of(minor, currency);
    expect(formatAmount(m)).toBe(amount);
    expect(formatMoney(m)).toBe(display);
  });
});

describe('parse/format properties', () => {
  const above2pow53 = fc.oneof(fc.bigInt({ min: 2n ** 53n + 1n, max: 2n ** 128n }), fc.bigInt({ min: -(2n ** 128n), max: -(2n ** 53n) - 1n }));
  const anyMinor = fc.oneof(fc.bigInt({ min: -10_000n, max: 10_000n }), fc.bigInt({ min: -(2n ** 128n), max: 2n ** 128n }));

  it.each(['USD', 'JPY', 'KWD'])('parseMoney(formatAmount(m)) is exact above 2^53 in %s', (currency) => {
    fc.assert(
      fc.property(above2pow53, (minor) => {
        const m = Money.of(minor, currency);
        const back = parseMoney(formatAmount(m), currency);
        expect(back.minor).toBe(minor);
        expect(back.equals(m)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['USD', 'JPY', 'KWD'])('round trip holds for any amount in %s, small ones included', (currency) => {
    fc.assert(
      fc.property(anyMinor, (minor) => {
        expect(parseMoney(formatAmount(Money.of(minor, currency)), currency).minor).toBe(minor);
      }),
    );
  });

  it('formatAmount always shows exactly the currency exponent digits after the point', () => {
    fc.assert(
      fc.property(fc.constantFrom('USD', 'JPY', 'KWD', 'EUR', 'BHD', 'CLP'), anyMinor, (currency, minor) => {
        const text = formatAmount(Money.of(minor, currency));
        const exponent = currencyExponent(currency);
        const fraction = text.split('.')[1];
        expect(fraction?.length ?? 0).toBe(exponent);
      }),
    );
  });

  it('parseMoney matches whole * 10^e + fraction for any decimal text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('USD', 'JPY', 'KWD'),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 2n ** 100n }),
        fc.nat({ max: 3 }),
        fc.nat({ max: 999 }),
        (currency, negative, whole, decimals, fractionSeed) => {
          const exponent = currencyExponent(currency);
          const used = Math.min(decimals, exponent);
          // Build a fraction text of `used` digits independently of the parser.
          const fractionText = used === 0 ? '' : String(fractionSeed % 10 ** used).padStart(used, '0');
          const text = `${negative ? '-' : ''}${whole}${used === 0 ? '' : `.${fractionText}`}`;
          const expectedAbs = whole * 10n ** BigInt(exponent) + (used === 0 ? 0n : BigInt(fractionText) * 10n ** BigInt(exponent - used));
          expect(parseMoney(text, currency).minor).toBe(negative ? -expectedAbs : expectedAbs);
        },
      ),
    );
  });
});
