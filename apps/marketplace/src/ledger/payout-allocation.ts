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
 * Which available-cash movements a payout of `amount` paid out: the movements in the order given
 * (oldest first), each whole, until one that would go past the amount, taken in part. A debit (a
 * refund or reversal of funds already available) is taken whole where it stands: the payout could
 * not contain what it took back. What the movements cannot cover is one part without a movement,
 * so the parts always sum to the amount exactly.
 */
export function allocatePayout(amount: bigint, movements: readonly AllocatableMovement[]): PayoutAllocationPart[] {
  if (amount <= 0n) throw new RangeError(`a payout's amount must be positive, got ${amount}`);
  const parts: PayoutAllocationPart[] = [];
  let total = 0n;
  for (const m of movements) {
    if (total === amount) break;
    if (m.remaining === 0n) continue;
    if (m.remaining > 0n && total + m.remaining > amount) {
      parts.push({ lineId: m.lineId, amount: amount - total });
      total = amount;
      break;
    }
    parts.push({ lineId: m.lineId, amount: m.remaining });
    total += m.remaining;
  }
  if (total !== amount) parts.push({ lineId: null, amount: amount - total });
  return parts;
}
