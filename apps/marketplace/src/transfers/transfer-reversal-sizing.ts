import { allocate, Money, proportional } from '@app/money';

export interface SellerTransferBase {
  sellerId: string;
  /** The seller's transfer as planned (share - their part of Stripe's fee), before any lowering or netting. */
  base: bigint;
  /** What refunds took from this seller on this order so far (lowerings, reversals, debts). */
  takenBefore: bigint;
}

/**
 * Each seller's part of a refund of a multi-seller order, in the transfers' currency. The sellers
 * together bear their transfers × refunded / gross, cumulatively (the last refund takes exactly
 * what is left, so a full refund takes back every transfer), as Stripe's own reverse_transfer
 * would on a destination charge ("reversed proportionally to the amount being refunded") with
 * refund_application_fee: the platform's fee part and Stripe's fee part of the refund are the
 * platform's. Each seller's part is sized cumulatively: after this refund they have borne their
 * largest-remainder share of that cumulative total (over the transfers as planned), less what they
 * really bore before (so a part sized one unit off before, e.g. two refunds settled close together,
 * is made up, never capped); the parts sum exactly to the cumulative total less what was borne, no
 * minor unit lost, and none is negative or more than is left of the seller's transfer.
 */
export function sellerPartsOfRefund(p: {
  currency: string;
  gross: bigint;
  refundedBefore: bigint;
  refund: bigint;
  sellers: readonly SellerTransferBase[];
}): Array<{ sellerId: string; amount: bigint }> {
  const bases = p.sellers.reduce((sum, s) => sum + s.base, 0n);
  const zero = () => p.sellers.map((s) => ({ sellerId: s.sellerId, amount: 0n }));
  if (bases <= 0n) return zero();
  const refunded = p.refundedBefore + p.refund;
  const cumulative = refunded >= p.gross ? bases : proportional(bases, refunded, p.gross);
  const left = p.sellers.map((s) => (s.base > s.takenBefore ? s.base - s.takenBefore : 0n));
  const leftTotal = sum(left);
  let total = cumulative - sum(p.sellers.map((s) => s.takenBefore));
  if (total > leftTotal) total = leftTotal;
  if (total <= 0n) return zero();
  const targets = allocate(
    Money.of(cumulative, p.currency),
    p.sellers.map((s) => s.base),
  ).map((m) => m.minor);
  const parts = p.sellers.map((s, i) => clamp(targets[i]! - s.takenBefore, 0n, left[i]!));
  // A seller already past their target (largest remainder can lower a seller's share by a unit as the
  // total grows, or they bore a unit more before) or with less left than it moves the rest onto the
  // others, a unit at a time: taken from whoever would then stand furthest above their exact share,
  // given to whoever stands furthest below it, so each stays within a unit of it where room allows.
  // (over_i × bases is how far seller i's total would stand above their exact share, scaled.)
  const over = (i: number, x: bigint) => (p.sellers[i]!.takenBefore + x) * bases - cumulative * p.sellers[i]!.base;
  // a large difference (a seller with much less left than their part) first moves in bulk, by what each can still take or give
  const bulk = total - sum(parts);
  const n = BigInt(parts.length);
  if (bulk > n) {
    const room = parts.map((x, i) => left[i]! - x);
    allocate(Money.of(bulk - n, p.currency), room).forEach((m, i) => {
      parts[i]! += m.minor;
    });
  } else if (-bulk > n)
    allocate(Money.of(-bulk - n, p.currency), [...parts]).forEach((m, i) => {
      parts[i]! -= m.minor;
    });
  for (let diff = total - sum(parts); diff !== 0n; diff += diff > 0n ? -1n : 1n) {
    let pick = -1;
    for (let i = 0; i < parts.length; i++) {
      const can = diff > 0n ? parts[i]! < left[i]! : parts[i]! > 0n;
      if (!can) continue;
      if (pick < 0) pick = i;
      else if (diff > 0n ? over(i, parts[i]!) < over(pick, parts[pick]!) : over(i, parts[i]!) > over(pick, parts[pick]!)) pick = i;
    }
    if (pick < 0) break; // nothing left to move (total is capped at what is left)
    parts[pick]! += diff > 0n ? 1n : -1n;
  }
  return p.sellers.map((s, i) => ({ sellerId: s.sellerId, amount: parts[i]! }));
}

const sum = (xs: readonly bigint[]) => xs.reduce((a, b) => a + b, 0n);
const clamp = (x: bigint, min: bigint, max: bigint) => (x < min ? min : x > max ? max : x);
