import { proportional } from '@app/money';
import type { RefundApplicationFeePolicy } from '../payments.config.js';

/**
 * The part of the application fee a refund returns, as Stripe's `refund_application_fee` does:
 * in proportion to the cumulative amount refunded, and the last refund returns whatever is left,
 * so a full refund returns exactly the fee. `never`: the platform keeps its fee.
 */
export function applicationFeeRefund(p: { policy: RefundApplicationFeePolicy; fee: bigint; feeRefundedBefore: bigint; refund: bigint; refundedBefore: bigint; gross: bigint }): bigint {
  if (p.policy === 'never' || p.fee <= 0n) return 0n;
  const remaining = p.fee - p.feeRefundedBefore;
  if (p.refundedBefore + p.refund >= p.gross) return remaining;
  const due = proportional(p.fee, p.refundedBefore + p.refund, p.gross) - p.feeRefundedBefore;
  return due < 0n ? 0n : due > remaining ? remaining : due;
}

/** Stripe's own refund reasons; anything else stays ours (kept on the refund row only). */
export function stripeRefundReason(reason: string | null | undefined): 'duplicate' | 'fraudulent' | 'requested_by_customer' | undefined {
  return reason === 'duplicate' || reason === 'fraudulent' || reason === 'requested_by_customer' ? reason : undefined;
}

/**
 * What a refund's transfer reversal would have pulled back from the seller had the charge's
 * transfer still been there (Stripe: "the transfer will be reversed proportionally to the amount
 * being refunded"): the amount we ask a return transfer's reversal for when it did not. Only a
 * request: what Stripe then moves is booked from its reversal.
 */
export function sellerShareOfRefund(p: { transferAmount: bigint; refund: bigint; gross: bigint }): bigint {
  return proportional(p.transferAmount, p.refund, p.gross);
}
