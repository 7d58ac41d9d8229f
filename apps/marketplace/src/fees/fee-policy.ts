import { amountGranularity, computeFee, Money, proportional } from '@app/money';
import type { FixedAmounts } from './fixed-amounts.js';

/**
 * A fee policy as it applies to a seller: basis points plus a fixed amount per currency.
 * `source: 'default'` is the platform's (FeesConfig), `'seller'` an admin's override for that
 * seller, which replaces the default entirely: a currency missing from its fixedAmounts has no
 * fixed part. `fixedOtherCurrencies` is the fixed part for currencies not listed.
 */
export interface ResolvedFeePolicy {
  source: 'default' | 'seller';
  basisPoints: number;
  fixedAmounts: FixedAmounts;
  fixedOtherCurrencies: bigint;
}

export interface FeeQuote {
  fee: Money;
  sellerShare: Money;
  policy: { source: 'default' | 'seller'; basisPoints: number; fixed: Money };
}

/**
 * The platform's fee on `amount` (one seller's gross, e.g. their subtotal of an order: quote once
 * per seller and order, not per line, so rounding happens once). Uses computeFee from @app/money:
 *   fee = round_half_up(amount * basisPoints / 10000) + fixed, clamped to [0, amount]
 * so the fee is never negative and never above the charge, and fee + sellerShare = amount exactly.
 */
export function quoteFee(amount: Money, policy: ResolvedFeePolicy): FeeQuote {
  // A seller's fixed part stored before three-decimal amounts had to end in 0 is rounded half up
  // to one that does (new input is refused): the fee stays an amount Stripe takes.
  const granularity = amountGranularity(amount.currency);
  const stored = policy.fixedAmounts[amount.currency] ?? policy.fixedOtherCurrencies;
  const fixed = Money.of(proportional(stored, 1n, granularity) * granularity, amount.currency);
  const fee = computeFee(amount, { basisPoints: policy.basisPoints, fixed });
  return { fee, sellerShare: amount.subtract(fee), policy: { source: policy.source, basisPoints: policy.basisPoints, fixed } };
}
