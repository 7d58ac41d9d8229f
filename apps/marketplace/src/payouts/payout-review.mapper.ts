import { ApiProperty } from '@nestjs/swagger';
import { SellerResponse, toNoAccountResponse, toSellerResponse } from '../onboarding/seller.mapper.js';
import type { HoldLimitStanding, PayoutReview, ReviewBalance } from './payout-review-queue.service.js';
import { PAYOUT_RISK_FLAGS, type PayoutRiskFlag, type PayoutRiskThresholds } from './payout-risk.js';
import { PayoutRequestResponse, toPayoutRequestResponse } from './payout-requests.mapper.js';
import type { PayoutRequest } from './payout-request.entity.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export class PayoutApprovalResponse {
  @ApiProperty() adminId: string;
  @ApiProperty() approvedAt: string;
}

/** A request as admins see it: what the seller sees, and who asked, who approved and who rejected it. */
export class PayoutDecisionResponse extends PayoutRequestResponse {
  @ApiProperty() stripeAccount: string;
  @ApiProperty({ nullable: true, type: String, description: 'The seller or admin who asked; null for the scheduled job' }) requestedBy: string | null;
  @ApiProperty({ type: [PayoutApprovalResponse], description: 'Approvals so far, oldest first' }) approvals: PayoutApprovalResponse[];
  @ApiProperty({ nullable: true, type: String }) rejectedBy: string | null;
}

export class ReviewBalanceResponse {
  @ApiProperty({ nullable: true, type: String, description: "Stripe's available balance of the account in the currency (minor units), read live" }) stripeAvailable: string | null;
  @ApiProperty({ nullable: true, type: String, description: "The ledger's available connected cash of the account in the currency" }) ledgerAvailable: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) matches: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the figures could not be read' }) error: string | null;
  @ApiProperty() checkedAt: string;
}

export class RecentOrderResponse {
  @ApiProperty() orderId: string;
  @ApiProperty() status: string;
  @ApiProperty({ description: "The seller's subtotal of the order" }) amount: string;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) paidAt: string | null;
  @ApiProperty() createdAt: string;
}
export class RecentRefundResponse {
  @ApiProperty() refundId: string;
  @ApiProperty() orderId: string;
  @ApiProperty() status: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty() createdAt: string;
}
export class RecentDisputeResponse {
  @ApiProperty() disputeId: string;
  @ApiProperty() stripeDisputeId: string;
  @ApiProperty() orderId: string;
  @ApiProperty() status: string;
  @ApiProperty() reason: string;
  @ApiProperty() amount: string;
  @ApiProperty() currency: string;
  @ApiProperty() open: boolean;
  @ApiProperty() createdAt: string;
}
export class RecentOrdersResponse {
  @ApiProperty() count: number;
  @ApiProperty({ type: [RecentOrderResponse] }) recent: RecentOrderResponse[];
}
export class RecentRefundsResponse {
  @ApiProperty() count: number;
  @ApiProperty({ type: [RecentRefundResponse] }) recent: RecentRefundResponse[];
}
export class RecentDisputesResponse {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Disputes and inquiries not closed yet' }) open: number;
  @ApiProperty({ type: [RecentDisputeResponse] }) recent: RecentDisputeResponse[];
}
export class RateWindowResponse {
  @ApiProperty() days: number;
  @ApiProperty() paidOrders: number;
  @ApiProperty() refundedOrders: number;
  @ApiProperty() disputedOrders: number;
}
export class SellerActivityResponse {
  @ApiProperty() orders: RecentOrdersResponse;
  @ApiProperty() refunds: RecentRefundsResponse;
  @ApiProperty() disputes: RecentDisputesResponse;
  @ApiProperty({ description: 'The refund and dispute rates are over these orders' }) window: RateWindowResponse;
}

export class PayoutRiskFlagResponse {
  @ApiProperty({ enum: PAYOUT_RISK_FLAGS }) code: string;
  @ApiProperty({ description: 'Why it fired, in words' }) reason: string;
}

export class PayoutReviewResponse extends PayoutDecisionResponse {
  @ApiProperty({ description: "The seller's connected account: status and requirements" }) seller: SellerResponse;
  @ApiProperty() balance: ReviewBalanceResponse;
  @ApiProperty() activity: SellerActivityResponse;
  @ApiProperty({ type: [PayoutRiskFlagResponse] }) riskFlags: PayoutRiskFlagResponse[];
}

export class PayoutRiskThresholdsResponse {
  @ApiProperty({ description: 'PAYOUT_RISK_NEW_SELLER_DAYS' }) newSellerDays: number;
  @ApiProperty({ description: 'PAYOUT_RISK_MEDIAN_MULTIPLE' }) medianMultiple: number;
  @ApiProperty({ description: 'PAYOUT_RISK_MEDIAN_MIN_PAYOUTS' }) medianMinPayouts: number;
  @ApiProperty({ description: 'PAYOUT_RISK_RATE_WINDOW_DAYS' }) rateWindowDays: number;
  @ApiProperty({ description: 'PAYOUT_RISK_REFUND_RATE_BPS (basis points)' }) refundRateBps: number;
  @ApiProperty({ description: 'PAYOUT_RISK_DISPUTE_RATE_BPS (basis points)' }) disputeRateBps: number;
  @ApiProperty({ description: 'PAYOUT_RISK_RATE_MIN_ORDERS' }) rateMinOrders: number;
  @ApiProperty({ description: 'PAYOUT_HOLD_LIMIT_WARN_DAYS' }) holdLimitWarnDays: number;
}

export class HoldLimitStandingResponse {
  @ApiProperty() sellerId: string;
  @ApiProperty({ nullable: true, type: String }) stripeAccount: string | null;
  @ApiProperty({ nullable: true, type: String }) country: string | null;
  @ApiProperty() currency: string;
  @ApiProperty({ description: "The ledger's available connected cash not paid out (minor units)" }) available: string;
  @ApiProperty({ description: 'Since when the oldest of it is available' }) availableSince: string;
  @ApiProperty({ description: "When Stripe's manual-payout hold limit for the country runs out for it" }) deadline: string;
  @ApiProperty() daysLeft: number;
  @ApiProperty() limitDays: number;
  @ApiProperty() past: boolean;
  @ApiProperty() reason: string;
}

export class HoldLimitListResponse {
  @ApiProperty({ type: [HoldLimitStandingResponse], description: 'Soonest deadline first' }) data: HoldLimitStandingResponse[];
}

export function toPayoutDecisionResponse(r: PayoutRequest, approvals: PayoutReview['approvals'], attempts: PayoutReview['attempts'] = []): PayoutDecisionResponse {
  return {
    ...toPayoutRequestResponse(r, attempts),
    stripeAccount: r.stripeAccount,
    requestedBy: r.requestedBy,
    approvals: approvals.map((a) => ({ adminId: a.adminId, approvedAt: a.createdAt.toISOString() })),
    rejectedBy: r.rejectedBy,
  };
}

function toBalanceResponse(b: ReviewBalance): ReviewBalanceResponse {
  if ('error' in b) return { stripeAvailable: null, ledgerAvailable: null, matches: null, error: b.error, checkedAt: b.checkedAt.toISOString() };
  return { stripeAvailable: b.stripeAvailable.toString(), ledgerAvailable: b.ledgerAvailable.toString(), matches: b.matches, error: null, checkedAt: b.checkedAt.toISOString() };
}

export function toPayoutReviewResponse(v: PayoutReview, thresholds: PayoutRiskThresholds): PayoutReviewResponse {
  const a = v.activity;
  return {
    ...toPayoutDecisionResponse(v.request, v.approvals, v.attempts),
    seller: v.account ? toSellerResponse(v.account) : toNoAccountResponse(v.request.sellerId),
    balance: toBalanceResponse(v.balance),
    activity: {
      orders: { count: a.orders.count, recent: a.orders.recent.map((o) => ({ ...o, amount: o.amount.toString(), paidAt: iso(o.paidAt), createdAt: o.createdAt.toISOString() })) },
      refunds: { count: a.refunds.count, recent: a.refunds.recent.map((r) => ({ ...r, amount: r.amount.toString(), createdAt: r.createdAt.toISOString() })) },
      disputes: {
        count: a.disputes.count,
        open: a.disputes.open,
        recent: a.disputes.recent.map((d) => ({ ...d, amount: d.amount.toString(), createdAt: d.createdAt.toISOString() })),
      },
      window: { days: thresholds.rateWindowDays, ...a.window },
    },
    riskFlags: v.flags.map((f: PayoutRiskFlag) => ({ code: f.code, reason: f.reason })),
  };
}

export function toHoldLimitStandingResponse(s: HoldLimitStanding): HoldLimitStandingResponse {
  return {
    sellerId: s.sellerId,
    stripeAccount: s.stripeAccount,
    country: s.country,
    currency: s.currency,
    available: s.available.toString(),
    availableSince: s.availableSince.toISOString(),
    deadline: s.deadline.toISOString(),
    daysLeft: s.daysLeft,
    limitDays: s.limitDays,
    past: s.past,
    reason: s.reason,
  };
}
