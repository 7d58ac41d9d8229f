import { allocate, Money } from '@app/money';
import type { MultiSellerStripeFeePolicy } from './transfers.config.js';

/** One seller's part of a multi-seller order as checkout recorded it (order currency). */
export interface RecordedSplit {
  sellerId: string;
  subtotal: bigint;
  fee: bigint;
  sellerShare: bigint;
}

/** One seller's part of the charge as Stripe settled it, and what is transferred to them. */
export interface SizedSeller {
  sellerId: string;
  /** Their share of what Stripe settled (owed to them when the charge is booked, before Stripe's fee). */
  share: Money;
  /** The platform's fee on their subtotal. */
  fee: Money;
  /** The part of Stripe's processing fee they bear (MULTI_SELLER_STRIPE_FEE=sellers), else zero. */
  stripeFee: Money;
  /** share - stripeFee: the transfer's amount. */
  transfer: Money;
}

/**
 * Sizes each seller's transfer from the charge's balance transaction (the gross and Stripe's fee,
 * in the currency Stripe settled it in: a EUR cart on a USD platform is USD). Each seller's
 * subtotal, and within it their fee and share, is that gross split in the order's proportions
 * (largest remainder: the parts add up to what Stripe settled, exactly). With `sellers`, Stripe's
 * fee is allocated among the sellers in proportion to their shares (largest remainder, no minor
 * unit lost), never more than a seller's share; what cannot be allocated stays the platform's.
 */
export function sizeSeparateCharge(txn: { amount: bigint; fee: bigint; currency: string }, sellers: readonly RecordedSplit[], policy: MultiSellerStripeFeePolicy): SizedSeller[] {
  const zero = Money.zero(txn.currency);
  const gross = allocate(
    Money.of(txn.amount, txn.currency),
    sellers.map((s) => s.subtotal),
  );
  const parts = sellers.map((s, i) => {
    const [fee, share] = s.subtotal > 0n ? allocate(gross[i]!, [s.fee, s.sellerShare]) : [zero, zero];
    return { sellerId: s.sellerId, fee: fee!, share: share! };
  });
  const totalShares = parts.reduce((sum, p) => sum + p.share.minor, 0n);
  const stripeFees =
    policy === 'sellers' && txn.fee > 0n && totalShares > 0n
      ? allocate(
          Money.of(txn.fee, txn.currency),
          parts.map((p) => p.share.minor),
        )
      : parts.map(() => zero);
  return parts.map((p, i) => {
    const stripeFee = Money.of(min(stripeFees[i]!.minor, p.share.minor), txn.currency);
    return { ...p, stripeFee, transfer: Money.of(p.share.minor - stripeFee.minor, txn.currency) };
  });
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
