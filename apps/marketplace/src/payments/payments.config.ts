import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, Max, Min } from 'class-validator';
import { envInt, envBool } from '../config/env-transforms.js';

export const REFUND_APPLICATION_FEE_POLICIES = ['proportional', 'never'] as const;
export type RefundApplicationFeePolicy = (typeof REFUND_APPLICATION_FEE_POLICIES)[number];
export const DISPUTE_RECOVERY_POLICIES = ['seller_share', 'full', 'none'] as const;
export type DisputeRecoveryPolicy = (typeof DISPUTE_RECOVERY_POLICIES)[number];
// the policy's earlier name, kept so existing env files keep working
const DISPUTE_RECOVERY_ALIASES: Record<string, DisputeRecoveryPolicy> = { reverse_transfer: 'full' };
export const REFUND_AFTER_RETURN_POLICIES = ['reverse_return', 'platform'] as const;
export type RefundAfterReturnPolicy = (typeof REFUND_AFTER_RETURN_POLICIES)[number];

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
  /**
   * A disputed amount debited from the platform is recovered from the seller by a reversal of the
   * charge's transfer. seller_share: what the seller netted of it (the reversal refunds the
   * application fee, `refund_application_fee`); full (alias reverse_transfer): the whole disputed
   * amount, the platform's fee too; none: the platform bears it.
   */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? (DISPUTE_RECOVERY_ALIASES[value.trim()] ?? value.trim()) : value))
  @IsIn(DISPUTE_RECOVERY_POLICIES, { message: `must be one of ${DISPUTE_RECOVERY_POLICIES.join(', ')} (reverse_transfer is an alias of full)` })
  DISPUTE_RECOVERY: DisputeRecoveryPolicy = 'seller_share';
  /**
   * A refund after the seller's funds came back by a return transfer (a won dispute, a failed
   * refund's return), when the charge's transfer reversal cannot pull the seller's share back.
   * reverse_return: the payments worker reverses the return transfer by what is missing;
   * platform: the platform bears it (the seller keeps the money).
   */
  @Expose()
  @IsIn(REFUND_AFTER_RETURN_POLICIES, { message: `must be one of ${REFUND_AFTER_RETURN_POLICIES.join(', ')}` })
  REFUND_AFTER_RETURN: RefundAfterReturnPolicy = 'reverse_return';
  /** How often the dispute worker looks for recoveries and returns to make (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(60_000) PAYMENTS_WORKER_POLL_MS: number = 1_000;
}
