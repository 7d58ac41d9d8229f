import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

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
  /** The first wait before a transfer whose Stripe call did not finish is tried again (doubling each time, at most 10 minutes) (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(600_000) TRANSFERS_RETRY_BASE_MS: number = 5_000;
  /** How long a transfer to a seller who is not active waits before the gate is asked again (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(86_400_000) TRANSFERS_INACTIVE_RECHECK_MS: number = 60_000;
}
