import fc from 'fast-check';
import {
  amountGranularity,
  currencyExponent,
  currencyRules,
  isGranular,
  isStripeCurrency,
  minimumChargeAmount,
  normalizeCurrency,
  STRIPE_CURRENCIES,
  THREE_DECIMAL_CURRENCIES,
  ZERO_DECIMAL_CURRENCIES,
} from './currency.js';
import { InvalidCurrencyError, MoneyError } from './money.errors.js';

describe('currencyExponent', () => {
  it.each(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'])('%s is zero-decimal', (code) => expect(currencyExponent(code)).toBe(0));

  it.each(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])('%s is three-decimal', (code) => {
    expect(currencyExponent(code)).toBe(3);
  });

  it.each(['USD', 'EUR', 'GBP', 'CHF', 'INR', 'HUF', 'ISK', 'TWD'])('%s defaults to two decimals', (code) => {
    expect(currencyExponent(code)).toBe(2);
  });

  it('accepts lower case the way Stripe sends it', () => {
    expect(currencyExponent('jpy')).toBe(0);
    expect(currencyExponent('kwd')).toBe(3);
  });
});

describe('normalizeCurrency', () => {
  it('upper-cases valid codes', () => {
    expect(normalizeCurrency('usd')).toBe('USD');
    expect(normalizeCurrency('Eur')).toBe('EUR');
    expect(normalizeCurrency('JPY')).toBe('JPY');
  });

  it.each(['', 'US', 'USDX', 'U$D', ' USD', 'USD ', '123', 'ÜSD', 'us\n'])('rejects %j', (code) => {
    expect(() => normalizeCurrency(code)).toThrow(InvalidCurrencyError);
  });

  it('throws an error carrying a machine-readable code', () => {
    let caught: unknown;
    try {
      normalizeCurrency('dollars');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MoneyError);
    expect((caught as MoneyError).code).toBe('MONEY.INVALID_CURRENCY');
  });
});

describe('isStripeCurrency', () => {
  it('knows the currencies Stripe charges in, in any case', () => {
    for (const code of ['USD', 'eur', 'Jpy', 'KWD', 'CHF']) expect(isStripeCurrency(code)).toBe(true);
    for (const code of [...ZERO_DECIMAL_CURRENCIES, ...THREE_DECIMAL_CURRENCIES]) expect(STRIPE_CURRENCIES.has(code)).toBe(true);
  });

  it('refuses codes Stripe does not support and anything not shaped like one', () => {
    for (const code of ['XYZ', 'XAU', 'XXX', 'US', 'USDD', ' USD', '', 'U$D']) expect(isStripeCurrency(code)).toBe(false);
  });
});

describe('currencyRules (one table: exponent, granularity, minimum charge)', () => {
  it("has Stripe's minimum charge amounts in minor units", () => {
    expect(currencyRules('usd')).toEqual({ currency: 'USD', exponent: 2, granularity: 1n, minimumCharge: 50n });
    expect(minimumChargeAmount('EUR')).toBe(50n);
    expect(minimumChargeAmount('GBP')).toBe(30n);
    expect(minimumChargeAmount('JPY')).toBe(50n); // ¥50, zero-decimal
    expect(minimumChargeAmount('HKD')).toBe(400n);
    expect(minimumChargeAmount('MXN')).toBe(1000n);
    expect(minimumChargeAmount('HUF')).toBe(17500n);
  });

  it('knows no minimum for a currency Stripe does not list (Stripe checks its converted amount)', () => {
    expect(minimumChargeAmount('KWD')).toBeNull();
    expect(minimumChargeAmount('COP')).toBeNull();
  });

  it.each(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])('%s amounts are multiples of 10 minor units', (code) => {
    expect(currencyRules(code)).toMatchObject({ exponent: 3, granularity: 10n });
    expect(isGranular(12_340n, code)).toBe(true);
    expect(isGranular(12_345n, code)).toBe(false);
  });

  it('every other currency takes any whole number of minor units', () => {
    fc.assert(
      fc.property(fc.constantFrom(...[...STRIPE_CURRENCIES].filter((c) => !THREE_DECIMAL_CURRENCIES.has(c))), fc.bigInt({ min: 0n, max: 2n ** 64n }), (code, minor) => {
        expect(amountGranularity(code)).toBe(1n);
        expect(isGranular(minor, code)).toBe(true);
      }),
    );
  });

  it('a minimum is itself a chargeable amount', () => {
    for (const code of STRIPE_CURRENCIES) {
      const min = minimumChargeAmount(code);
      if (min !== null) expect(isGranular(min, code)).toBe(true);
    }
  });
});
