// Integer minor-unit arithmetic only: no floats touch money.

export interface ProcessingFee {
  /** basis points of the amount, e.g. 290 for 2.9% */
  percentBps: number;
  /** fixed part in minor units, e.g. 30 */
  fixed: number;
}

export const DEFAULT_PROCESSING_FEE: ProcessingFee = { percentBps: 290, fixed: 30 };

/** amount * bps / 10000 rounded half up, without floating point. */
export function basisPoints(amount: number, bps: number): number {
  const product = amount * bps;
  const whole = Math.trunc(product / 10000);
  const rest = product - whole * 10000;
  return rest * 2 >= 10000 ? whole + 1 : whole;
}

/** Stripe's card processing fee, never more than the amount itself. */
export function processingFee(amount: number, fee: ProcessingFee = DEFAULT_PROCESSING_FEE): number {
  if (amount <= 0) return 0;
  return Math.min(amount, basisPoints(amount, fee.percentBps) + fee.fixed);
}

/** total * part / whole rounded half up (proportional reversal of transfers and fees). */
export function proportional(total: number, part: number, whole: number): number {
  if (whole <= 0) return 0;
  const product = total * part;
  const q = Math.trunc(product / whole);
  const rest = product - q * whole;
  return rest * 2 >= whole ? q + 1 : q;
}

/**
 * The share of `total` a refund of `part` out of `whole` reverses, given `alreadyReversed`. The last
 * refund takes whatever is left so that full refunds reverse exactly the total (no rounding dust).
 */
export function proportionalShare(total: number, alreadyReversed: number, part: number, alreadyRefunded: number, whole: number): number {
  const remaining = total - alreadyReversed;
  if (alreadyRefunded + part >= whole) return remaining;
  return Math.min(remaining, Math.max(0, proportional(total, alreadyRefunded + part, whole) - alreadyReversed));
}
