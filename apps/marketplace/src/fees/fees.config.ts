import { Expose, Transform } from 'class-transformer';
import { IsInt, IsObject, Max, Min } from 'class-validator';
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

/** The platform's default fee policy. Every property is the environment variable of the same name. */
export class FeesConfig {
  /** Proportional part in basis points (1000 = 10 %). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(10_000) PLATFORM_FEE_BPS: number = 1000;
  /** Fixed part in minor units of the charge's currency, for currencies not in PLATFORM_FEE_FIXED_BY_CURRENCY. */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(Number(MAX_FIXED_FEE_MINOR)) PLATFORM_FEE_FIXED: number = 0;
  /** Fixed part per currency, JSON: {"USD":30,"EUR":25} (minor units). */
  @Expose()
  @Transform(toFixedAmounts)
  @IsObject({ message: 'must be JSON like {"USD":30,"EUR":25}: three-letter codes to integer minor units between 0 and 99999999' })
  PLATFORM_FEE_FIXED_BY_CURRENCY: FixedAmounts = {};

  /** The fixed part of the default policy for a currency. */
  defaultFixed(currency: string): bigint {
    return this.PLATFORM_FEE_FIXED_BY_CURRENCY[currency] ?? BigInt(this.PLATFORM_FEE_FIXED);
  }
}
