import { amountGranularity, isStripeCurrency, normalizeCurrency } from '@app/money';

/** Largest fixed fee accepted per currency (Stripe's largest charge, in minor units). */
export const MAX_FIXED_FEE_MINOR = 99_999_999n;

export type FixedAmounts = Readonly<Record<string, bigint>>;

/**
 * Parses `{ "USD": 30, "EUR": "25" }` (minor units: integers, or integer strings) into upper-case
 * currency -> bigint. Returns a message instead of throwing so config and HTTP can word it their way.
 * New input must name currencies Stripe supports, in amounts Stripe takes (multiples of 10 in KWD);
 * `anyCurrency` reads rows stored before those rules.
 */
export function parseFixedAmounts(input: unknown, options: { anyCurrency?: boolean } = {}): { value: FixedAmounts } | { problem: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { problem: 'must be an object of currency code -> minor units' };
  const value: Record<string, bigint> = {};
  for (const [code, raw] of Object.entries(input as Record<string, unknown>)) {
    let currency: string;
    try {
      currency = normalizeCurrency(code);
    } catch {
      return { problem: `"${code}" is not a three-letter currency code` };
    }
    if (!options.anyCurrency && !isStripeCurrency(currency)) return { problem: `"${code}" is not a currency Stripe supports` };
    let minor: bigint | undefined;
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) minor = BigInt(raw);
    else if (typeof raw === 'string' && /^[0-9]{1,12}$/.test(raw)) minor = BigInt(raw);
    if (minor === undefined || minor < 0n || minor > MAX_FIXED_FEE_MINOR) {
      return { problem: `${currency} must be an integer number of minor units between 0 and ${MAX_FIXED_FEE_MINOR}` };
    }
    // Stripe takes only amounts whose last digit is 0 in three-decimal currencies (KWD): a fixed fee
    // of 35 fils could never be charged as an application fee.
    const granularity = amountGranularity(currency);
    if (!options.anyCurrency && minor % granularity !== 0n)
      return { problem: `${currency} must be a multiple of ${granularity} minor units (Stripe takes only amounts whose last digit is 0 in ${currency}), got ${minor}` };
    if (currency in value) return { problem: `${currency} is given twice` };
    value[currency] = minor;
  }
  return { value };
}

export function fixedAmountsToJson(amounts: FixedAmounts): Record<string, string> {
  return Object.fromEntries(
    Object.entries(amounts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([c, m]) => [c, m.toString()]),
  );
}
