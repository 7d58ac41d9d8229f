import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min, ValidateBy } from 'class-validator';
import { envInt, IsCronExpression } from '../config/env-transforms.js';

const MINIMUMS_FORMAT = /^\s*[a-zA-Z]{3}\s*:\s*\d{1,15}\s*(,\s*[a-zA-Z]{3}\s*:\s*\d{1,15}\s*)*$/;

/** `jpy:1000, usd:1000` as a map of upper-case currencies to minor units. */
export function parseMinimums(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (!text.trim()) return out;
  for (const part of text.split(',')) {
    const [currency, amount] = part.split(':').map((s) => s.trim());
    out.set(currency!.toUpperCase(), BigInt(amount!));
  }
  return out;
}

/** Payout requests: the scheduled job that makes them, the minimum, the two-person rule. Every property is the environment variable of the same name. */
export class PayoutRequestsConfig {
  /** When the worker makes requests for every available balance at or above the minimum: a cron expression (5 fields, or 6 with seconds), in UTC. */
  @Expose()
  @IsCronExpression('0 0 * * * (daily at 00:00 UTC)')
  PAYOUT_REQUESTS_CRON: string = '0 0 * * *';

  /** The smallest payout, in minor units of any currency without its own in PAYOUT_MINIMUMS. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) PAYOUT_MINIMUM: number = 1_000;

  /** Per-currency minimums, in that currency's minor units: `jpy:1000,usd:1000` (empty: PAYOUT_MINIMUM for all). */
  @Expose()
  @ValidateBy(
    { name: 'isMinimums', validator: { validate: (v: unknown) => typeof v === 'string' && (v.trim() === '' || MINIMUMS_FORMAT.test(v)) } },
    { message: 'must be currency:minor-units pairs separated by commas, e.g. jpy:1000,usd:1000' },
  )
  PAYOUT_MINIMUMS: string = '';

  /** Above this amount (minor units), a request needs two distinct admins' approvals; at or below it, one. */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) PAYOUT_TWO_PERSON_THRESHOLD: number = 100_000;

  /** How often the worker checks held requests again (ms): one held because the ledger had not yet booked what Stripe made available goes to review once they agree. */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(86_400_000) PAYOUT_HELD_RECHECK_MS: number = 30_000;

  private minimums: Map<string, bigint> | undefined;

  /** The minimum payout in `currency` (minor units). */
  minimumFor(currency: string): bigint {
    this.minimums ??= parseMinimums(this.PAYOUT_MINIMUMS);
    return this.minimums.get(currency.toUpperCase()) ?? BigInt(this.PAYOUT_MINIMUM);
  }

  approvalsRequiredFor(amount: bigint): 1 | 2 {
    return amount > BigInt(this.PAYOUT_TWO_PERSON_THRESHOLD) ? 2 : 1;
  }
}
