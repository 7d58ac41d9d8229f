import { InvalidCurrencyError } from './money.errors.js';

// Stripe's table: https://docs.stripe.com/currencies#zero-decimal and #three-decimal.
// biome-ignore format: a table of codes, laid out in rows
export const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA',
  'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);

export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

// Stripe's presentment currencies (https://docs.stripe.com/currencies): what a charge, a fee or a
// transfer can be in. Add a code here when Stripe adds one.
// biome-ignore format: a table of codes, laid out in rows
export const STRIPE_CURRENCIES: ReadonlySet<string> = new Set([
  'USD', 'AED', 'AFN', 'ALL', 'AMD', 'ANG', 'AOA', 'ARS', 'AUD', 'AWG', 'AZN', 'BAM', 'BBD', 'BDT', 'BGN', 'BIF',
  'BMD', 'BND', 'BOB', 'BRL', 'BSD', 'BWP', 'BYN', 'BZD', 'CAD', 'CDF', 'CHF', 'CLP', 'CNY', 'COP', 'CRC', 'CVE',
  'CZK', 'DJF', 'DKK', 'DOP', 'DZD', 'EGP', 'ETB', 'EUR', 'FJD', 'FKP', 'GBP', 'GEL', 'GIP', 'GMD', 'GNF', 'GTQ',
  'GYD', 'HKD', 'HNL', 'HTG', 'HUF', 'IDR', 'ILS', 'INR', 'ISK', 'JMD', 'JPY', 'KES', 'KGS', 'KHR', 'KMF', 'KRW',
  'KYD', 'KZT', 'LAK', 'LBP', 'LKR', 'LRD', 'LSL', 'MAD', 'MDL', 'MGA', 'MKD', 'MMK', 'MNT', 'MOP', 'MUR', 'MVR',
  'MWK', 'MXN', 'MYR', 'MZN', 'NAD', 'NGN', 'NIO', 'NOK', 'NPR', 'NZD', 'PAB', 'PEN', 'PGK', 'PHP', 'PKR', 'PLN',
  'PYG', 'QAR', 'RON', 'RSD', 'RUB', 'RWF', 'SAR', 'SBD', 'SCR', 'SEK', 'SGD', 'SHP', 'SLE', 'SOS', 'SRD', 'STD',
  'SZL', 'THB', 'TJS', 'TOP', 'TRY', 'TTD', 'TWD', 'TZS', 'UAH', 'UGX', 'UYU', 'UZS', 'VND', 'VUV', 'WST', 'XAF',
  'XCD', 'XOF', 'XPF', 'YER', 'ZAR', 'ZMW',
  ...THREE_DECIMAL_CURRENCIES,
]);

const CURRENCY_SHAPE = /^[A-Za-z]{3}$/;

// Checks the shape only (three ASCII letters), not membership of the ISO list: Stripe adds
// currencies over time and rejects unsupported ones itself. Lower case is accepted because
// Stripe's own API speaks lower case ('usd'); we store upper case.
export function normalizeCurrency(code: string): string {
  if (typeof code !== 'string' || !CURRENCY_SHAPE.test(code)) {
    throw new InvalidCurrencyError(code);
  }
  return code.toUpperCase();
}

/** Whether Stripe charges in this currency (any case): for input we keep, like a fee override. */
export function isStripeCurrency(code: string): boolean {
  return typeof code === 'string' && CURRENCY_SHAPE.test(code) && STRIPE_CURRENCIES.has(code.toUpperCase());
}

export function currencyExponent(code: string): number {
  const currency = normalizeCurrency(code);
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}

// Stripe's minimum charge amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts),
// in minor units of each currency in Stripe's table. Stripe: "The minimum amount you can charge
// depends on the payout bank account settlement currency", and a charge converted into it "must
// meet the equivalent minimum of the settlement currency": a currency Stripe does not list has no
// minimum we can know without its exchange rate (null), Stripe still checks the converted amount.
const MINIMUM_CHARGE: Readonly<Record<string, bigint>> = {
  USD: 50n,
  AED: 200n,
  AUD: 50n,
  BGN: 100n,
  BRL: 50n,
  CAD: 50n,
  CHF: 50n,
  CZK: 1500n,
  DKK: 250n,
  EUR: 50n,
  GBP: 30n,
  HKD: 400n,
  HUF: 17500n,
  INR: 50n,
  JPY: 50n,
  MXN: 1000n,
  MYR: 200n,
  NOK: 300n,
  NZD: 50n,
  PLN: 200n,
  RON: 200n,
  SEK: 300n,
  SGD: 50n,
  THB: 1000n,
};

/** What Stripe requires of an amount in one currency. */
export interface CurrencyRules {
  currency: string;
  /** digits after the decimal point: 0 (JPY), 2 (USD), 3 (KWD) */
  exponent: number;
  /**
   * Every amount (charge, application fee, refund) is a multiple of this many minor units.
   * Stripe, three-decimal currencies: "these API calls require the least-significant (last)
   * digit to be 0. Your integration must round amounts to the nearest ten": 10 for BHD, JOD,
   * KWD, OMR, TND; 1 elsewhere.
   */
  granularity: bigint;
  /** Stripe's minimum charge in minor units, or null when its table does not list the currency. */
  minimumCharge: bigint | null;
}

/** The one table of per-currency rules: listings, fees, checkout and refunds all ask it. */
export function currencyRules(code: string): CurrencyRules {
  const currency = normalizeCurrency(code);
  const exponent = currencyExponent(currency);
  return { currency, exponent, granularity: exponent === 3 ? 10n : 1n, minimumCharge: MINIMUM_CHARGE[currency] ?? null };
}

export function amountGranularity(code: string): bigint {
  return currencyRules(code).granularity;
}

export function minimumChargeAmount(code: string): bigint | null {
  return currencyRules(code).minimumCharge;
}

/** Whether Stripe accepts `minor` units of the currency as an amount (its last digit 0 in KWD). */
export function isGranular(minor: bigint, code: string): boolean {
  return minor % amountGranularity(code) === 0n;
}
