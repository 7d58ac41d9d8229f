import { amountGranularity } from './currency.js';
import { InvalidAmountError, InvalidFeePolicyError } from './money.errors.js';
import { Money } from './money.js';
import { proportional } from './proportional.js';

export interface FeePolicy {
  // Proportional part in basis points: 1 bp = 0.01 %, so 250 = 2.5 %. Integer in [0, 10000].
  basisPoints: number | bigint;
  // Flat part, in the amount's currency; a bare bigint is minor units of that currency.
  fixed: Money | bigint;
}

const BASIS_POINTS_PER_WHOLE = 10_000n;

// fee = round_half_up(amount * bps / 10000) + fixed, clamped to [0, amount].
//
// Rounding: half-up on the fractional minor unit (the amount is never negative here, so this is
// also half away from zero): 2.5 % of 0.10 USD = 0.25 cents -> 0; of 1.00 USD = 2.5 cents -> 3.
// It is the rule a seller reproduces by hand from a receipt, it is monotone in the amount, and it
// is computed with bigint division only, so no float ever touches the value.
// Clamp: a fixed fee can exceed a tiny charge, and Stripe rejects an application_fee_amount larger
// than the charge, so the fee is capped at the amount (the platform takes at most everything).
// Granularity: in a three-decimal currency (KWD) Stripe takes only amounts whose last digit is 0,
// so the proportional part is rounded half-up to a multiple of 10 minor units and the fixed part
// must be one; a granular amount then gives a granular fee and a granular seller share.
export function computeFee(amount: Money, policy: FeePolicy): Money {
  if (amount.isNegative()) {
    // A fee on a negative amount (a refund) is a refund policy decision, not this arithmetic.
    throw new InvalidAmountError(`Cannot compute a fee on a negative amount (${amount.toString()})`);
  }
  const bps = toBasisPoints(policy.basisPoints);
  const fixed = toFixed(policy.fixed, amount);

  const granularity = amountGranularity(amount.currency);
  if (fixed % granularity !== 0n) {
    throw new InvalidFeePolicyError(`fixed must be a multiple of ${granularity} minor units in ${amount.currency}, got ${fixed}`);
  }

  const unit = BASIS_POINTS_PER_WHOLE * granularity;
  const rated = proportional(amount.minor, bps, unit) * granularity;

  let fee = rated + fixed;
  if (fee < 0n) fee = 0n;
  if (fee > amount.minor) fee = amount.minor;
  return Money.of(fee, amount.currency);
}

function toBasisPoints(value: number | bigint): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > BASIS_POINTS_PER_WHOLE) {
      throw new InvalidFeePolicyError(`basisPoints must be in [0, 10000], got ${value}`);
    }
    return value;
  }
  // bps is a rate, not money; converting an integral number to bigint is exact.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 10_000) {
    throw new InvalidFeePolicyError(`basisPoints must be an integer in [0, 10000], got ${String(value)}`);
  }
  return BigInt(value);
}

function toFixed(value: Money | bigint, amount: Money): bigint {
  let minor: bigint;
  if (value instanceof Money) {
    amount.assertSameCurrency(value);
    minor = value.minor;
  } else if (typeof value === 'bigint') {
    minor = value;
  } else {
    throw new InvalidFeePolicyError(`fixed must be Money or bigint minor units, got ${typeof value}`);
  }
  if (minor < 0n) {
    throw new InvalidFeePolicyError(`fixed must not be negative, got ${minor}`);
  }
  return minor;
}
