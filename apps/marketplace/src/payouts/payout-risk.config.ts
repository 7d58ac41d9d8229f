import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

/**
 * The thresholds of the payout review queue's risk flags (payout-risk.ts), as data: the API and
 * the console read them (GET /admin/payouts/risk-thresholds). Rates are basis points (1/100 of a
 * percent: 500 = 5%), integers. Every property is the environment variable of the same name.
 */
export class PayoutRiskConfig {
  /** A seller whose connected account is younger than this is new (days). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(3650) PAYOUT_RISK_NEW_SELLER_DAYS: number = 30;

  /** An amount at or above this multiple of the seller's own median paid payout is far above it. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(1000) PAYOUT_RISK_MEDIAN_MULTIPLE: number = 3;

  /** The median is only read once the seller has this many paid payouts in the currency. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(1000) PAYOUT_RISK_MEDIAN_MIN_PAYOUTS: number = 3;

  /** The window of the refund and dispute rates, in days of paid orders. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(3650) PAYOUT_RISK_RATE_WINDOW_DAYS: number = 90;

  /** Refunded orders over paid orders in the window, at or above which the flag fires (basis points). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(10_000) PAYOUT_RISK_REFUND_RATE_BPS: number = 1_000;

  /** Disputed orders over paid orders in the window, at or above which the flag fires (basis points; card networks watch 0.75-1%). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(10_000) PAYOUT_RISK_DISPUTE_RATE_BPS: number = 75;

  /** Rates are only read once the window holds this many paid orders. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(100_000) PAYOUT_RISK_RATE_MIN_ORDERS: number = 5;

  /** Funds within this many days of Stripe's manual-payout hold limit (or past it) are flagged, and admins told. */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(365) PAYOUT_HOLD_LIMIT_WARN_DAYS: number = 7;

  /** How often the worker looks for sellers near or past the hold limit (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(86_400_000) PAYOUT_HOLD_LIMIT_POLL_MS: number = 3_600_000;
}
