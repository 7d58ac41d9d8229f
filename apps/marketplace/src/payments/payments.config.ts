import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, Max, Min } from 'class-validator';
import { envInt, envBool } from '../config/env-transforms.js';


export const REFUND_APPLICATION_FEE_POLICIES = ['proportional', 'never'] as const;
export type RefundApplicationFeePolicy = (typeof REFUND_APPLICATION_FEE_POLICIES)[number];
export const DISPUTE_RECOVERY_POLICIES = ['reverse_transfer', 'none'] as const;
export type DisputeRecoveryPolicy = (typeof DISPUTE_RECOVERY_POLICIES)[number];

/** Checkout, refund and dispute policy. Every property is the environment variable of the same name. */
export class PaymentsConfig {
  /** Destination charges settle on the seller's account (`on_behalf_of`): their country, statement descriptor. */
  @Expose() @Transform(envBool) @IsBoolean({ message: 'must be true or false' }) CHECKOUT_ON_BEHALF_OF: boolean = false;
  /** A seller may refund their own single-seller orders (admins always may). */
  @Expose() @Transform(envBool) @IsBoolean({ message: 'must be true or false' }) SELLERS_MAY_REFUND: boolean = false;
  /** proportional: a refund returns the platform's fee in proportion; never: the platform keeps it. */
  @Expose()
  @IsIn(REFUND_APPLICATION_FEE_POLICIES, { message: `must be one of ${REFUND_APPLICATION_FEE_POLICIES.join(', ')}` })
  REFUND_APPLICATION_FEE: RefundApplicationFeePolicy = 'proportional';
  /** reverse_transfer: a disputed amount debited from the platform is recovered from the seller; none: the platform bears it. */
  @Expose()
  @IsIn(DISPUTE_RECOVERY_POLICIES, { message: `must be one of ${DISPUTE_RECOVERY_POLICIES.join(', ')}` })
  DISPUTE_RECOVERY: DisputeRecoveryPolicy = 'reverse_transfer';
  /** How often the dispute worker looks for recoveries and returns to make (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(60_000) PAYMENTS_WORKER_POLL_MS: number = 1_000;
}
