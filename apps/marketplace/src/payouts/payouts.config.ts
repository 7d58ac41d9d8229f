import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

export const PAYOUT_MODES = ['reviewed', 'automatic'] as const;
export type PayoutMode = (typeof PAYOUT_MODES)[number];

/** Seller payouts. Every property is the environment variable of the same name. */
export class PayoutsConfig {
  /**
   * reviewed: every connected account is on a manual payout schedule (set at account creation, and
   * by the worker for accounts made before), so Stripe pays no seller out on its own; automatic:
   * Stripe's schedule runs and its payouts are booked from their events (and still shown to admins).
   * reviewed by default: a payout happens only after an admin approves its request.
   */
  @Expose()
  @IsIn(PAYOUT_MODES, { message: 'must be reviewed or automatic' })
  PAYOUT_MODE: PayoutMode = 'reviewed';

  /** How often the worker looks for connected accounts not yet on the manual schedule, in reviewed mode (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(86_400_000) PAYOUT_SCHEDULE_POLL_MS: number = 60_000;

  /** How often the payout execution worker looks for approved requests and attempts to send when idle (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(3_600_000) PAYOUT_EXECUTION_POLL_MS: number = 1000;

  /** First wait before an attempt whose create had no sure answer (5xx, 429, network) is sent again with its key; doubles, capped at 10 minutes (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(600_000) PAYOUT_EXECUTION_RETRY_BASE_MS: number = 5000;

  /** How long a worker's claim on an attempt lasts (s). Unset: twice the longest gateway call (STRIPE_TIMEOUT_MS and retries), so no takeover happens mid-call. */
  @Expose() @Transform(envInt) @IsOptional() @IsInt() @Min(1) @Max(86_400) PAYOUT_EXECUTION_CLAIM_LEASE_SECONDS?: number;
}
