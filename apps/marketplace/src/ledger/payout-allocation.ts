/** A seller's available-cash movement that earlier payouts have not fully paid out (what remains of it, signed). */
export interface AllocatableMovement {
  lineId: string;
  /** What of the line no payout holds yet: positive for funds that became available, negative for a debit (a refund, a reversal). */
  remaining: bigint;
}

export interface PayoutAllocationPart {
  /** The movement paid out; null: the part of the payout the ledger has no available movement for (a difference reconciliation reports). */
  lineId: string | null;
  amount: bigint;
}

/**
 * Which available-cash movements a payout of `amount` paid out. Every debit not yet paid out (a
 * refund or reversal of funds already available) first, whole: the balance the payout drew on was
 * already net of them, so it could not contain what they took back. Then the credits in the order
 * given (oldest first), each whole, until one that would go past the amount, taken in part. What
 * the movements cannot cover is one part without a movement, so the parts always sum to the amount.
 */
export function allocatePayout(amount: bigint, movements: readonly AllocatableMovement[]): PayoutAllocationPart[] {
  if (amount <= 0n) throw new RangeError(`a payout's amount must be positive, got ${amount}`);
  const parts: PayoutAllocationPart[] = movements.filter((m) => m.remaining < 0n).map((m) => ({ lineId: m.lineId, amount: m.remaining }));
  let total = parts.reduce((sum, p) => sum + p.amount, 0n);
  for (const m of movements) {
    if (total === amount) break;
    if (m.remaining <= 0n) continue;
    const part = total + m.remaining > amount ? amount - total : m.remaining;
    parts.push({ lineId: m.lineId, amount: part });
    total += part;
  }
  if (total !== amount) parts.push({ lineId: null, amount: amount - total });
  return parts;
}
