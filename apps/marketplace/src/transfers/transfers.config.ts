import { StripeConfig } from '@app/stripe';
import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

/**
 * The longest the platform holds a seller's funds from a charge before transferring them. Stripe
 * asks that funds held for connected accounts be paid out within 90 days (2 years in the US, 10
 * days in Thailand, where separate charges and transfers are not offered): the shortest limit that
 * applies to every country with separate charges and transfers, so no hold of ours can exceed it.
 */
export const STRIPE_MAX_HOLD_DAYS = 90;

export const MULTI_SELLER_STRIPE_FEE_POLICIES = ['platform', 'sellers'] as const;
export type MultiSellerStripeFeePolicy = (typeof MULTI_SELLER_STRIPE_FEE_POLICIES)[number];

/** Transfers of multi-seller orders. Every property is the environment variable of the same name. */
export class TransfersConfig {
  /**
   * Who bears Stripe's processing fee on a multi-seller charge. platform: the platform (each seller
   * is transferred their whole share); sellers: the charge's fee is allocated among the sellers in
   * proportion to their shares (largest remainder) and taken from their transfers.
   */
  @Expose()
  @IsIn(MULTI_SELLER_STRIPE_FEE_POLICIES, { message: `must be one of ${MULTI_SELLER_STRIPE_FEE_POLICIES.join(', ')}` })
  MULTI_SELLER_STRIPE_FEE: MultiSellerStripeFeePolicy = 'platform';
  /** How often the transfers worker looks for transfers to make (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(3_600_000) TRANSFERS_WORKER_POLL_MS: number = 1_000;
  /**
   * How many due transfers one worker claims and works at once: its calls in flight, spaced by the
   * Stripe request budget. Enough to keep the budget busy between rounds (bench/transfers-drain.bench.ts);
   * a claimed row waits for its slot within the claim's lease.
   */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(500) TRANSFERS_CLAIM_BATCH: number = 50;
  /** The first wait before a transfer whose Stripe call did not finish is tried again (doubling each time, at most 10 minutes) (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(600_000) TRANSFERS_RETRY_BASE_MS: number = 5_000;
  /** How long a transfer to a seller who is not active waits before the gate is asked again (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(86_400_000) TRANSFERS_INACTIVE_RECHECK_MS: number = 60_000;
  /** Days a multi-seller order's sellers' funds are held after payment unless the checkout asks otherwise (0: no hold, transferred at once). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(STRIPE_MAX_HOLD_DAYS) TRANSFERS_HOLD_DAYS: number = 0;
  /** The longest hold a checkout may ask for (`holdDays`), at most Stripe's limit (90 days). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(STRIPE_MAX_HOLD_DAYS) TRANSFERS_HOLD_MAX_DAYS: number = 30;
  /** Days after a seller marks their part fulfilled that it is released on its own, if the buyer has not confirmed receipt sooner (0: at once). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(STRIPE_MAX_HOLD_DAYS) TRANSFERS_AUTO_RELEASE_DAYS: number = 3;

  /**
   * How long a worker's claim on a transfer or reversal row lasts before another worker may take
   * it over (s). Unset: twice the longest gateway call with its retries (StripeConfig.longestCallMs:
   * 4 attempts of 30 s and 3 backoffs of at most 10 s by default, so 300 s), set at load by
   * `withGatewayTimings`. A call that outlives it anyway is safe (a transfer or reversal made for a
   * row canceled meanwhile is booked and given back), only wasteful.
   */
  @Expose() @Transform(envInt) @IsOptional() @IsInt() @Min(1) @Max(86_400) TRANSFERS_CLAIM_LEASE_SECONDS?: number;
  private longestGatewayCallMs = new StripeConfig().longestCallMs;

  /** The gateway's timeout and retries the default lease is sized on. */
  withGatewayTimings(stripe: { longestCallMs: number }): this {
    this.longestGatewayCallMs = stripe.longestCallMs;
    return this;
  }

  get claimLeaseSeconds(): number {
    return this.TRANSFERS_CLAIM_LEASE_SECONDS ?? Math.ceil((2 * this.longestGatewayCallMs) / 1000);
  }

  /** What no single variable's check can see. */
  problems(): string[] {
    return this.TRANSFERS_HOLD_DAYS > this.TRANSFERS_HOLD_MAX_DAYS
      ? [`TRANSFERS_HOLD_DAYS (got "${this.TRANSFERS_HOLD_DAYS}"): must not exceed TRANSFERS_HOLD_MAX_DAYS (${this.TRANSFERS_HOLD_MAX_DAYS})`]
      : [];
  }
}
