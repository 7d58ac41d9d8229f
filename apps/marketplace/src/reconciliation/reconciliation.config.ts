import { Expose, Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { envInt, IsCronExpression } from '../config/env-transforms.js';

/** Scheduled reconciliation. Every property is the environment variable of the same name. */
export class ReconciliationConfig {
  /** When the worker reconciles the ledger with Stripe: a cron expression (5 fields, or 6 with seconds), in UTC. Hourly by default. */
  @Expose()
  @IsCronExpression('0 * * * * (hourly, on the hour, UTC)')
  RECONCILIATION_CRON: string = '0 * * * *';

  /**
   * How long (seconds) something Stripe made may go unseen by the ledger before it is a difference:
   * a webhook in flight is not a discrepancy. Measured on Stripe's clock.
   */
  @Expose() @Transform(envInt) @IsInt() @Min(0) @Max(86_400) RECONCILIATION_SKEW_S: number = 300;

  /** The first scheduled run's window reaches this far back (seconds; 30 days, Stripe's event retention, by default). */
  @Expose() @Transform(envInt) @IsInt() @Min(60) @Max(400 * 86_400) RECONCILIATION_FIRST_WINDOW_S: number = 30 * 86_400;

  /**
   * A scheduled run reads the connected accounts with activity since the previous run; every other
   * account is read at least this often (seconds; daily by default), from where it was last read.
   */
  @Expose() @Transform(envInt) @IsInt() @Min(60) @Max(30 * 86_400) RECONCILIATION_SWEEP_S: number = 86_400;

  /**
   * How long (days) the transactions a run compared (its items, the CSV's rows) are kept after the run
   * finished; its totals and discrepancies are kept for good. Keep it longer than the first window
   * (RECONCILIATION_FIRST_WINDOW_S): a transaction whose items are gone is read from Stripe again.
   */
  @Expose() @Transform(envInt) @IsInt() @Min(7) @Max(3_650) RECONCILIATION_ITEMS_RETENTION_DAYS: number = 90;

  /** How often a worker looks for runs asked for through the API, or left unfinished by an instance that died (ms). */
  @Expose() @Transform(envInt) @IsInt() @Min(10) @Max(3_600_000) RECONCILIATION_POLL_MS: number = 5_000;
}
