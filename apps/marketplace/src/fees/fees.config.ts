import { Expose, Transform } from 'class-transformer';
import { currencyExponent, STRIPE_CURRENCIES } from '@app/money';
import { IsInt, IsObject, Max, Min, ValidateBy } from 'class-validator';
import { MAX_FIXED_FEE_MINOR, parseFixedAmounts, type FixedAmounts } from './fixed-amounts.js';
import { envInt } from '../config/env-transforms.js';

// A malformed value stays a string, so @IsObject fails and names the variable.
const toFixedAmounts = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  try {
    const parsed = parseFixedAmounts(JSON.parse(value));
    return 'value' in parsed ? parsed.value : value;
  } catch {
    return value;
  }
};

/**
 * The currencies a non-zero PLATFORM_FEE_FIXED would be ambiguous in: it is minor units of the
 * charge's currency, so 30 means USD 0.30 but JPY 30 and KWD 0.030. Every Stripe currency can be
 * listed, so the fallback is accepted only when PLATFORM_FEE_FIXED_BY_CURRENCY gives the fixed
 * part of every currency whose exponent is not 2 (zero- and three-decimal ones).
 */
export function currenciesLeftAmbiguous(fixed: number, byCurrency: unknown): string[] {
  if (fixed === 0 || typeof byCurrency !== 'object' || byCurrency === null) return [];
  return [...STRIPE_CURRENCIES].filter((c) => currencyExponent(c) !== 2 && !(c in byCurrency)).sort();
}

const UnambiguousFallback = () =>
  ValidateBy({
    name: 'unambiguousFixedFee',
    validator: {
      validate: (value, args) => typeof value !== 'number' || currenciesLeftAmbiguous(value, (args!.object as FeesConfig).PLATFORM_FEE_FIXED_BY_CURRENCY).length === 0,
      defaultMessage: (args) => {
        const missing = currenciesLeftAmbiguous(args!.value as number, (args!.object as FeesConfig).PLATFORM_FEE_FIXED_BY_CURRENCY);
        return (
          `is minor units of the charge's currency, so ${String(args!.value)} would mean ${String(args!.value)} minor units in zero- and three-decimal currencies too (JPY ${String(args!.value)}, KWD 0.${String(args!.value).padStart(3, '0')}); ` +
          `set PLATFORM_FEE_FIXED=0 and give the fixed part per currency in PLATFORM_FEE_FIXED_BY_CURRENCY, or give it there for ${missing.join(', ')}`
        );
      },
    },
  });

/** The platform's default fee policy. Every property is the environment variable of the same name. */
export class FeesConfig {
  /** Proportional part in basis points (1000 = 10 %). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(10_000) PLATFORM_FEE_BPS: number = 1000;
  /**
   * Fixed part in minor units of the charge's currency, for currencies not in
   * PLATFORM_FEE_FIXED_BY_CURRENCY; non-zero only when that covers every zero- and three-decimal currency.
   */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(Number(MAX_FIXED_FEE_MINOR)) @UnambiguousFallback() PLATFORM_FEE_FIXED: number = 0;
  /** Fixed part per currency, JSON: {"USD":30,"EUR":25} (minor units). */
  @Expose()
  @Transform(toFixedAmounts)
  @IsObject({
    message:
      'must be JSON like {"USD":30,"EUR":25,"KWD":300}: three-letter codes of currencies Stripe supports to integer minor units between 0 and 99999999 (multiples of 10 in three-decimal currencies such as KWD)',
  })
  PLATFORM_FEE_FIXED_BY_CURRENCY: FixedAmounts = {};

  /** The fixed part of the default policy for a currency. */
  defaultFixed(currency: string): bigint {
    return this.PLATFORM_FEE_FIXED_BY_CURRENCY[currency] ?? BigInt(this.PLATFORM_FEE_FIXED);
  }
}
