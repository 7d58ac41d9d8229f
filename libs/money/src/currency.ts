import { InvalidCurrencyError } from './money.errors.js';

// Stripe's table: https://docs.stripe.com/currencies#zero-decimal and #three-decimal.
export const ZERO_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA',
  'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);

export const THREE_DECIMAL_CURRENCIES: ReadonlySet<string> = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

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

export function currencyExponent(code: string): number {
  const currency = normalizeCurrency(code);
  if (ZERO_DECIMAL_CURRENCIES.has(currency)) return 0;
  if (THREE_DECIMAL_CURRENCIES.has(currency)) return 3;
  return 2;
}
