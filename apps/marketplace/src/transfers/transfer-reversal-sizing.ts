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
 * platform's. This refund's part is split by what is left of each seller's transfer, largest
 * remainder: the parts sum exactly, no minor unit lost.
 */
export function sellerPartsOfRefund(p: {
  currency: string;
  gross: bigint;
  refundedBefore: bigint;
  refund: bigint;
  sellers: readonly SellerTransferBase[];
}): Array<{ sellerId: string; amount: bigint }> {
  const bases = p.sellers.reduce((sum, s) => sum + s.base, 0n);
  const taken = (refunded: bigint) => (refunded >= p.gross ? bases : proportional(bases, refunded, p.gross));
  const left = p.sellers.map((s) => (s.base > s.takenBefore ? s.base - s.takenBefore : 0n));
  const leftTotal = left.reduce((sum, x) => sum + x, 0n);
  let total = taken(p.refundedBefore + p.refund) - taken(p.refundedBefore);
  if (total > leftTotal) total = leftTotal;
  if (total <= 0n) return p.sellers.map((s) => ({ sellerId: s.sellerId, amount: 0n }));
  const parts = allocate(Money.of(total, p.currency), left);
  return p.sellers.map((s, i) => ({ sellerId: s.sellerId, amount: parts[i]!.minor }));
}
