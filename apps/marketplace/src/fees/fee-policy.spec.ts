import { amountGranularity, Money, STRIPE_CURRENCIES, currencyExponent } from '@app/money';
import fc from 'fast-check';
import { validateEnv, ConfigError } from '../config/validate-env.js';
import { quoteFee, type ResolvedFeePolicy } from './fee-policy.js';
import { FeesConfig } from './fees.config.js';
import { parseFixedAmounts } from './fixed-amounts.js';

const policy = (basisPoints: number, fixedAmounts: Record<string, bigint> = {}, fixedOtherCurrencies = 0n): ResolvedFeePolicy => ({
  source: 'seller',
  basisPoints,
  fixedAmounts,
  fixedOtherCurrencies,
});

describe('quoteFee', () => {
  it('takes 10 % plus the fixed part of the currency', () => {
    const q = quoteFee(Money.of(10_000n, 'USD'), policy(1000, { USD: 30n }));
    expect(q.fee).toEqual(Money.of(1_030n, 'USD'));
    expect(q.sellerShare).toEqual(Money.of(8_970n, 'USD'));
    expect(q.policy.fixed).toEqual(Money.of(30n, 'USD'));
  });

  it('rounds the proportional part half up, once', () => {
    expect(quoteFee(Money.of(5n, 'JPY'), policy(1000)).fee.minor).toBe(1n); // 0.5 -> 1
    expect(quoteFee(Money.of(4n, 'JPY'), policy(1000)).fee.minor).toBe(0n); // 0.4 -> 0
    expect(quoteFee(Money.of(1_240n, 'KWD'), policy(250)).fee.minor).toBe(30n); // 31 fils, but KWD takes multiples of 10 -> 30
    expect(quoteFee(Money.of(1_400n, 'KWD'), policy(2500)).fee.minor).toBe(350n); // 350 exactly
  });

  it('uses fixedOtherCurrencies for currencies not listed, and caps the fee at the amount', () => {
    expect(quoteFee(Money.of(1_000n, 'EUR'), policy(0, { USD: 30n }, 7n)).fee.minor).toBe(7n);
    const tiny = quoteFee(Money.of(20n, 'USD'), policy(1000, { USD: 30n }));
    expect(tiny.fee.minor).toBe(20n);
    expect(tiny.sellerShare.minor).toBe(0n);
  });

  it('property: fee + seller share = gross and 0 <= fee <= gross, for any amount, currency and policy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'BHD', 'KRW', 'GBP'),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.bigInt({ min: 0n, max: 99_999_999n }),
        fc.bigInt({ min: 0n, max: 5_000n }),
        fc.boolean(),
        (currency, units, bps, fixedUnits, otherUnits, listed) => {
          // amounts, fixed parts included, as Stripe takes them: multiples of 10 fils in KWD
          const g = amountGranularity(currency);
          const [gross, fixed, other] = [units * g, fixedUnits * g, otherUnits * g];
          const q = quoteFee(Money.of(gross, currency), policy(bps, listed ? { [currency]: fixed } : {}, other));
          expect(q.fee.minor % g).toBe(0n);
          expect(q.sellerShare.minor % g).toBe(0n);
          expect(q.fee.currency).toBe(currency);
          expect(q.fee.minor + q.sellerShare.minor).toBe(gross);
          expect(q.fee.minor >= 0n && q.fee.minor <= gross).toBe(true);
          expect(q.sellerShare.minor >= 0n).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('parseFixedAmounts', () => {
  it('accepts integers and integer strings, upper-cases codes', () => {
    expect(parseFixedAmounts({ usd: 30, EUR: '25', JPY: 0 })).toEqual({ value: { USD: 30n, EUR: 25n, JPY: 0n } });
  });

  it('refuses a fixed part a three-decimal currency cannot be charged in (last digit not 0)', () => {
    expect(parseFixedAmounts({ KWD: 300, BHD: '20' })).toEqual({ value: { KWD: 300n, BHD: 20n } });
    expect(parseFixedAmounts({ KWD: 305 })).toEqual({ problem: expect.stringContaining('KWD must be a multiple of 10 minor units') });
  });

  it('reads a stored KWD fixed part that does not end in 0 (kept before the rule); the quote rounds it half up', () => {
    expect(parseFixedAmounts({ KWD: 105 }, { anyCurrency: true })).toEqual({ value: { KWD: 105n } });
    expect(quoteFee(Money.of(1_000n, 'KWD'), policy(0, { KWD: 105n })).fee.minor).toBe(110n);
    expect(quoteFee(Money.of(1_000n, 'KWD'), policy(0, { KWD: 104n })).fee.minor).toBe(100n);
    expect(quoteFee(Money.of(1_000n, 'USD'), policy(0, { USD: 105n })).fee.minor).toBe(105n);
  });

  it.each([[{ USD: 1.5 }], [{ USD: -1 }], [{ USD: '1e3' }], [{ US: 1 }], [{ USD: 100_000_000 }], [[1]], ['x'], [{ usd: 1, USD: 2 }], [{ XYZ: 30 }], [{ xau: 1 }]])('refuses %j', (input) => {
    expect(parseFixedAmounts(input)).toEqual({ problem: expect.any(String) });
  });

  it('reads a stored row in a currency Stripe does not support with anyCurrency', () => {
    expect(parseFixedAmounts({ XYZ: 30 })).toEqual({ problem: '"XYZ" is not a currency Stripe supports' });
    expect(parseFixedAmounts({ XYZ: 30 }, { anyCurrency: true })).toEqual({ value: { XYZ: 30n } });
  });
});

describe('FeesConfig', () => {
  it('defaults to 10 % and no fixed part', () => {
    const config = validateEnv(FeesConfig, {});
    expect(config.PLATFORM_FEE_BPS).toBe(1000);
    expect(config.defaultFixed('USD')).toBe(0n);
  });

  it('reads the fixed part per currency from JSON, with PLATFORM_FEE_FIXED for the others', () => {
    const config = validateEnv(FeesConfig, { PLATFORM_FEE_BPS: '250', PLATFORM_FEE_FIXED_BY_CURRENCY: '{"USD":30,"eur":25,"JPY":40,"KWD":100}' });
    expect(config.PLATFORM_FEE_BPS).toBe(250);
    expect(config.defaultFixed('USD')).toBe(30n);
    expect(config.defaultFixed('EUR')).toBe(25n);
    expect(config.defaultFixed('JPY')).toBe(40n);
    expect(config.defaultFixed('KWD')).toBe(100n);
    expect(config.defaultFixed('GBP')).toBe(0n);
  });

  it('refuses PLATFORM_FEE_FIXED while a zero- or three-decimal currency would read it in its own minor units', () => {
    let error: unknown;
    try {
      validateEnv(FeesConfig, { PLATFORM_FEE_FIXED: '30', PLATFORM_FEE_FIXED_BY_CURRENCY: '{"JPY":40}' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const [problem] = (error as ConfigError).problems;
    expect(problem).toMatch(/^PLATFORM_FEE_FIXED \(got "30"\): is minor units of the charge's currency/);
    expect(problem).toContain('KWD');
    expect(problem).toContain('KRW');
    expect(problem).not.toMatch(/JPY,|, JPY/); // covered
  });

  it('accepts PLATFORM_FEE_FIXED as the two-decimal fallback once every zero- and three-decimal currency has its own fixed part', () => {
    const others = [...STRIPE_CURRENCIES].filter((c) => currencyExponent(c) !== 2);
    const byCurrency = Object.fromEntries(others.map((c) => [c, currencyExponent(c) === 3 ? 300 : 50]));
    const config = validateEnv(FeesConfig, { PLATFORM_FEE_FIXED: '30', PLATFORM_FEE_FIXED_BY_CURRENCY: JSON.stringify(byCurrency) });
    expect(config.defaultFixed('USD')).toBe(30n);
    expect(config.defaultFixed('GBP')).toBe(30n);
    expect(config.defaultFixed('JPY')).toBe(50n);
    expect(config.defaultFixed('KWD')).toBe(300n);
  });

  it.each([
    ['PLATFORM_FEE_BPS', '10001'],
    ['PLATFORM_FEE_BPS', '2.5'],
    ['PLATFORM_FEE_FIXED', '-1'],
    ['PLATFORM_FEE_FIXED_BY_CURRENCY', '{"USD":0.3}'],
    ['PLATFORM_FEE_FIXED_BY_CURRENCY', 'USD=30'],
    ['PLATFORM_FEE_FIXED_BY_CURRENCY', '{"KWD":35}'],
    ['PLATFORM_FEE_FIXED', '5'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    let error: unknown;
    try {
      validateEnv(FeesConfig, { [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringContaining(`${name} (got "${value}")`)]);
  });
});
