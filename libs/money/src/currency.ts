import { InvalidCurrencyError } from './money.errors.js';

// Stripe's table: https://docs.stripe.com/currencies#zero-decimal and #three-decimal.
export const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA',
  'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);

export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

// Stripe's presentment currencies (https://docs.stripe.com/currencies): what a charge, a fee or a
// transfer can be in. Add a code here when Stripe adds one.
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
