import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

export const PAYOUT_MODES = ['reviewed', 'automatic'] as const;
export type PayoutMode = (typeof PAYOUT_MODES)[number];

/** Seller payouts. Every property is the environment variable of the same name. */
export class PayoutsConfig {
  /**
   * reviewed: every connected account is on a manual payout schedule (set at account creation, and
   * by the worker for accounts made before), so Stripe pays no seller out on its own; automatic:
   * Stripe's schedule runs and its payouts are booked from their events. automatic until payout
   * approvals exist (issue 13): with reviewed and no approvals, nobody would be paid.
   */
  @Expose()
  @IsIn(PAYOUT_MODES, { message: 'must be reviewed or automatic' })
  PAYOUT_MODE: PayoutMode = 'automatic';

  /** How often the worker looks for connected accounts not yet on the manual schedule, in reviewed mode (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(86_400_000) PAYOUT_SCHEDULE_POLL_MS: number = 60_000;
}
