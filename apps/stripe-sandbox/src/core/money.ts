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
 * What one refund (or one transfer reversal) returns of `total` (an application fee, or a
 * destination charge's transfer), as Stripe documents `refund_application_fee` and
 * `reverse_transfer`: in proportion to THIS refund's amount out of the charge's (captured) amount;
 * a refund after which the charge is refunded in full returns whatever of `total` is still not
 * returned; never more than that remainder. `returned` is what earlier refunds already returned
 * (it stays returned even when such a refund later fails), so nothing is derived from the
 * charge's `amount_refunded`.
 */
export function refundShare(s: { total: number; returned: number; refund: number; of: number; completes: boolean }): number {
  const remaining = s.total - s.returned;
  if (remaining <= 0) return 0;
  if (s.completes) return remaining;
  return Math.max(0, Math.min(remaining, proportional(s.total, s.refund, s.of)));
}
