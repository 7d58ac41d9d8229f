// Currency conversion without floating point: a rate is an exact rational parsed from a decimal
// string ("1.08" = 108/100), amounts are integer minor units, products use BigInt.

import { decimalDigits } from './currencies.js';

export interface Rate {
  num: bigint;
  den: bigint;
}

/** Digits of a currency's minor unit: 0 for zero-decimal (JPY), 3 for three-decimal (KWD), else 2. */
export function minorUnitDigits(currency: string): number {
  return decimalDigits(currency);
}

/** "1.08" -> 108/100. Only plain positive decimals ("2", "0.9215", "1.08"); anything else throws. */
export function parseRate(text: string): Rate {
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text.trim())) throw new Error(`an exchange rate must be a positive decimal string such as "1.08", got ${JSON.stringify(text)}`);
  const [whole, frac = ''] = text.trim().split('.');
  const num = BigInt(whole + frac);
  if (num === 0n) throw new Error(`an exchange rate must be positive, got ${JSON.stringify(text)}`);
  return { num, den: 10n ** BigInt(frac.length) };
}

export function invert(r: Rate): Rate {
  return { num: r.den, den: r.num };
}

/** The rate as the number Stripe shows in `exchange_rate` (display only; never used on money). */
export function rateNumber(r: Rate): number {
  return Number(r.num) / Number(r.den);
}

/** Decimal text of a rate, for the control API (up to 12 places, exact when the rate is decimal). */
export function rateText(r: Rate): string {
  const scale = 10n ** 12n;
  const scaled = (r.num * scale + r.den / 2n) / r.den;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(12, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/**
 * `amount` minor units of `from` in minor units of `to` at `rate` (units of `to` per unit of
 * `from`), rounded half away from zero.
 */
export function convert(amount: number, rate: Rate, from: string, to: string): number {
  const shift = minorUnitDigits(to) - minorUnitDigits(from);
  let num = BigInt(amount) * rate.num;
  let den = rate.den;
  if (shift > 0) num *= 10n ** BigInt(shift);
  else if (shift < 0) den *= 10n ** BigInt(-shift);
  const negative = num < 0n;
  const abs = negative ? -num : num;
  const q = abs / den;
  const rounded = (abs % den) * 2n >= den ? q + 1n : q;
  return Number(negative ? -rounded : rounded);
}
