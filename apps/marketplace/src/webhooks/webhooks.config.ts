import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

/** Inbox worker settings. Every property is the environment variable of the same name. */
export class WebhooksConfig {
  /** Attempts before an event is `dead` (an admin can replay it). */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(100) WEBHOOK_MAX_ATTEMPTS: number = 10;
  /** First retry delay; doubles per attempt up to WEBHOOK_RETRY_CAP_MS. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) WEBHOOK_RETRY_BASE_MS: number = 2_000;
  @Expose() @Transform(envInt) @IsInt() @Min(1) WEBHOOK_RETRY_CAP_MS: number = 3_600_000;
  /** How long a claimed event is ours before another worker may take it over (crash recovery). */
  @Expose() @Transform(envInt) @IsInt() @Min(1_000) WEBHOOK_LEASE_MS: number = 120_000;
  /** Sleep between polls when nothing is due. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(60_000) WEBHOOK_POLL_MS: number = 200;
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(1_000) WEBHOOK_BATCH_SIZE: number = 50;
  /** Events worked at once per process. */
  @Expose() @Transform(envInt) @IsInt() @Min(1) @Max(64) WEBHOOK_CONCURRENCY: number = 4;
  /** The scheduled backfill looks back this far in GET /v1/events (0 disables the schedule). */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(30 * 24 * 3600) WEBHOOK_BACKFILL_LOOKBACK_S: number = 3 * 3600;
  @Expose() @Transform(envInt) @IsInt() @Min(10) WEBHOOK_BACKFILL_EVERY_S: number = 900;
}
