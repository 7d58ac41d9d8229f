import { formatMoney, Money } from '@app/money';
import { daysLeft, holdDeadline, holdLimitDays } from './payout-hold-limits.js';
import type { PayoutRiskConfig } from './payout-risk.config.js';

export const PAYOUT_RISK_FLAGS = ['new_seller', 'amount_above_median', 'open_dispute', 'refund_rate', 'dispute_rate', 'restricted_account', 'hold_limit'] as const;
export type PayoutRiskFlagCode = (typeof PAYOUT_RISK_FLAGS)[number];

/** One reason to look twice at a payout request, in words an admin can act on. */
export interface PayoutRiskFlag {
  code: PayoutRiskFlagCode;
  reason: string;
}

/** The thresholds the flags compare against (PayoutRiskConfig, as the API answers them). Rates in basis points. */
export interface PayoutRiskThresholds {
  newSellerDays: number;
  medianMultiple: number;
  medianMinPayouts: number;
  rateWindowDays: number;
  refundRateBps: number;
  disputeRateBps: number;
  rateMinOrders: number;
  holdLimitWarnDays: number;
}

export function riskThresholdsOf(c: PayoutRiskConfig): PayoutRiskThresholds {
  return {
    newSellerDays: c.PAYOUT_RISK_NEW_SELLER_DAYS,
    medianMultiple: c.PAYOUT_RISK_MEDIAN_MULTIPLE,
    medianMinPayouts: c.PAYOUT_RISK_MEDIAN_MIN_PAYOUTS,
    rateWindowDays: c.PAYOUT_RISK_RATE_WINDOW_DAYS,
    refundRateBps: c.PAYOUT_RISK_REFUND_RATE_BPS,
    disputeRateBps: c.PAYOUT_RISK_DISPUTE_RATE_BPS,
    rateMinOrders: c.PAYOUT_RISK_RATE_MIN_ORDERS,
    holdLimitWarnDays: c.PAYOUT_HOLD_LIMIT_WARN_DAYS,
  };
}

/** What is known about a request and its seller when an admin looks at it. */
export interface PayoutRiskFacts {
  now: Date;
  /** The time Stripe's clock has reached (never before now): funds' availability, and so the hold limit, run on it. */
  stripeNow: Date;
  amount: bigint;
  currency: string;
  /** When the seller's connected account was made (null: none yet). */
  accountCreatedAt: Date | null;
  country: string | null;
  payoutsEnabled: boolean;
  pastDue: readonly string[];
  disabledReason: string | null;
  /** The seller's earlier paid payouts in this currency (any order). */
  paidPayouts: readonly bigint[];
  /** Disputes (and inquiries) not closed yet: Stripe's id and status. */
  openDisputes: ReadonlyArray<{ stripeDisputeId: string; status: string }>;
  /** Orders paid in the rate window, and how many of them were refunded or disputed. */
  paidOrders: number;
  refundedOrders: number;
  disputedOrders: number;
  /** Since when the seller's oldest funds not paid out yet have been available (FIFO over the ledger), null if none. */
  oldestUnpaidAvailableSince: Date | null;
}

const DAY_MS = 86_400_000;

/**
 * The risk flags of one payout request: a pure function of the facts and the thresholds, used by
 * the review queue, the detail view and (for the hold limit) the worker that tells admins. Every
 * comparison is on integers (amounts in minor units, rates in basis points), never floats.
 */
export function payoutRiskFlags(f: PayoutRiskFacts, t: PayoutRiskThresholds): PayoutRiskFlag[] {
  const flags: PayoutRiskFlag[] = [];
  const money = (minor: bigint) => formatMoney(Money.of(minor, f.currency));

  if (f.accountCreatedAt) {
    const ageDays = Math.floor((f.now.getTime() - f.accountCreatedAt.getTime()) / DAY_MS);
    if (ageDays < t.newSellerDays) {
      flags.push({ code: 'new_seller', reason: `The seller's connected account is ${ageDays} day(s) old, younger than ${t.newSellerDays} days` });
    }
  }

  const median2 = twiceMedian(f.paidPayouts);
  // amount >= multiple x median, as amount x 2 >= multiple x (twice the median): no fractions
  if (median2 !== null && f.paidPayouts.length >= t.medianMinPayouts && f.amount * 2n >= BigInt(t.medianMultiple) * median2) {
    flags.push({
      code: 'amount_above_median',
      reason: `${money(f.amount)} is at least ${t.medianMultiple} times the seller's median paid payout of ${money(median2 / 2n)} (over ${f.paidPayouts.length} payouts)`,
    });
  }

  if (f.openDisputes.length > 0) {
    const named = f.openDisputes
      .slice(0, 3)
      .map((d) => `${d.stripeDisputeId} (${d.status})`)
      .join(', ');
    flags.push({ code: 'open_dispute', reason: `${f.openDisputes.length} dispute(s) or inquiry(ies) open: ${named}${f.openDisputes.length > 3 ? ', ...' : ''}` });
  }

  if (f.paidOrders >= t.rateMinOrders) {
    if (BigInt(f.refundedOrders) * 10_000n >= BigInt(t.refundRateBps) * BigInt(f.paidOrders)) {
      flags.push({
        code: 'refund_rate',
        reason: `${f.refundedOrders} of ${f.paidOrders} orders paid in the last ${t.rateWindowDays} days were refunded (${bps(f.refundedOrders, f.paidOrders)} bps), at or above ${t.refundRateBps} bps`,
      });
    }
    if (BigInt(f.disputedOrders) * 10_000n >= BigInt(t.disputeRateBps) * BigInt(f.paidOrders)) {
      flags.push({
        code: 'dispute_rate',
        reason: `${f.disputedOrders} of ${f.paidOrders} orders paid in the last ${t.rateWindowDays} days were disputed (${bps(f.disputedOrders, f.paidOrders)} bps), at or above ${t.disputeRateBps} bps`,
      });
    }
  }

  const restricted = [
    ...(f.pastDue.length ? [`requirements past due: ${f.pastDue.join(', ')}`] : []),
    ...(f.accountCreatedAt && !f.payoutsEnabled ? ['payouts are disabled on the connected account'] : []),
    ...(f.disabledReason ? [`Stripe's disabled reason: ${f.disabledReason}`] : []),
  ];
  if (restricted.length) flags.push({ code: 'restricted_account', reason: `The account is restricted: ${restricted.join('; ')}` });

  const hold = holdLimitStanding(f.oldestUnpaidAvailableSince, f.country, f.stripeNow, t.holdLimitWarnDays);
  if (hold) flags.push({ code: 'hold_limit', reason: hold.reason });

  return flags;
}

/** Where a seller's oldest unpaid available funds stand against Stripe's hold limit, when within `warnDays` of it or past it; else null. */
export function holdLimitStanding(
  availableSince: Date | null,
  country: string | null,
  now: Date,
  warnDays: number,
): { deadline: Date; daysLeft: number; limitDays: number; past: boolean; reason: string } | null {
  if (!availableSince) return null;
  const deadline = holdDeadline(availableSince, country);
  const left = daysLeft(deadline, now);
  if (left > warnDays) return null;
  const limitDays = holdLimitDays(country);
  const since = availableSince.toISOString().slice(0, 10);
  const where = `Stripe's manual-payout limit for ${country ?? 'an unknown country'} is ${limitDays} days`;
  const past = deadline.getTime() <= now.getTime();
  const reason = past
    ? `Funds available since ${since} are past the hold limit (${deadline.toISOString().slice(0, 10)}): ${where}`
    : `Funds available since ${since} must be paid out by ${deadline.toISOString().slice(0, 10)}, ${left} day(s) from now: ${where}`;
  return { deadline, daysLeft: left, limitDays, past, reason };
}

/** Twice the median (the sum of the two middle values for an even count), so it stays an integer; null for none. */
export function twiceMedian(values: readonly bigint[]): bigint | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! * 2n : sorted[mid - 1]! + sorted[mid]!;
}

function bps(part: number, whole: number): string {
  return ((BigInt(part) * 10_000n) / BigInt(whole)).toString();
}
