import { Expose, Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';
import type { EndpointLimit } from './request-budget.js';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number.parseInt(value, 10) : value);
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/**
 * How this process talks to Stripe: real Stripe (STRIPE_SECRET_KEY, Stripe's own host) or the
 * local sandbox (STRIPE_API_BASE). Every property is the environment variable of the same name.
 */
/** The longest wait between two attempts of one gateway call (exponential backoff, capped). */
export const STRIPE_BACKOFF_CAP_MS = 10_000;

export class StripeConfig {
  @Expose()
  @ValidateIf((c: StripeConfig) => !c.STRIPE_API_BASE || c.STRIPE_SECRET_KEY !== undefined)
  @IsString({ message: 'must be set (sk_test_... or sk_live_...) unless STRIPE_API_BASE points at the sandbox' })
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, { message: 'must look like sk_test_... or sk_live_...' })
  STRIPE_SECRET_KEY?: string;

  /**
   * The key reconciliation reads Stripe with: a restricted key (rk_...) holding read permissions
   * only (README: "A read-only key for reconciliation"), or a secret key. Unset: STRIPE_SECRET_KEY.
   * Same mode (test or live) as the main key. A secret: its value is never logged.
   */
  @Expose()
  @IsOptional()
  @Matches(/^(rk|sk)_(test|live)_[A-Za-z0-9_]+$/, { message: 'must look like rk_test_... or rk_live_... (a restricted key; sk_ also accepted)' })
  STRIPE_RECONCILIATION_KEY?: string;

  /** Base URL of the Stripe sandbox, e.g. http://127.0.0.1:12111. Unset: Stripe's own servers. */
  @Expose()
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, { message: 'must be a base URL like http://127.0.0.1:12111' })
  STRIPE_API_BASE?: string;

  /** Signing secrets of the platform webhook endpoint, comma-separated (several during rotation). */
  @Expose()
  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^whsec_\S+$/, { each: true, message: 'each secret must start with whsec_' })
  STRIPE_WEBHOOK_SECRETS: string[] = [];

  /** Signing secrets of the Connect webhook endpoint, comma-separated. */
  @Expose()
  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^whsec_\S+$/, { each: true, message: 'each secret must start with whsec_' })
  STRIPE_CONNECT_WEBHOOK_SECRETS: string[] = [];

  /**
   * Signing secrets of the event destination that delivers thin events (Accounts v2) to
   * `POST /webhooks/stripe/events`, comma-separated (several during rotation).
   */
  @Expose()
  @Transform(toList)
  @IsString({ each: true })
  @Matches(/^whsec_\S+$/, { each: true, message: 'each secret must start with whsec_' })
  STRIPE_EVENT_DESTINATION_SECRETS: string[] = [];

  /**
   * Request budget shared by every api and worker instance on one database (Stripe's global limit
   * is per account, not per process). Default: 25/s with a test key or the sandbox, 100/s live.
   */
  @Expose()
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  STRIPE_REQUESTS_PER_SECOND?: number;

  /**
   * Per-endpoint budget of `POST /v1/transfers` and of `POST /v1/transfers/:id/reversals` (each its
   * own), taken beside the global one. Stripe: endpoints are limited to 25/s unless noted otherwise.
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  STRIPE_TRANSFERS_PER_SECOND: number = 25;

  /**
   * Budget of `POST /v1/payouts` (payout creation on connected accounts), taken beside the global one.
   * Stripe's rate-limits page lists no limit of its own for payouts: the documented default of an
   * endpoint, 25/s, applies.
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  STRIPE_PAYOUTS_PER_SECOND: number = 25;

  /**
   * Lateness a send slot allows between its grant and Stripe's receipt: slots are (1000 + slack) / rate
   * ms apart, so 40 ms uses 96% of a budget and no 1-second window goes over it.
   */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(500)
  STRIPE_REQUEST_BUDGET_SLACK_MS: number = 40;

  /** Retries of a 429, 5xx or network error (mutating calls keep their idempotency key). */
  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  STRIPE_MAX_RETRIES: number = 3;

  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  STRIPE_RETRY_BASE_MS: number = 250;

  @Expose()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  STRIPE_TIMEOUT_MS: number = 30_000;

  /**
   * The longest one gateway call can take: every attempt (STRIPE_MAX_RETRIES + 1) up to its
   * timeout, with the longest backoff between them (a Retry-After beyond the cap is not counted).
   * A worker's lease on a row must outlast it, or another worker takes the row over mid-call (ms).
   */
  get longestCallMs(): number {
    return (this.STRIPE_MAX_RETRIES + 1) * this.STRIPE_TIMEOUT_MS + this.STRIPE_MAX_RETRIES * STRIPE_BACKOFF_CAP_MS;
  }

  get usesSandbox(): boolean {
    return Boolean(this.STRIPE_API_BASE);
  }

  get secretKey(): string {
    return this.STRIPE_SECRET_KEY ?? 'sk_test_sandbox';
  }

  get livemode(): boolean {
    return this.secretKey.startsWith('sk_live_') || this.secretKey.startsWith('rk_live_');
  }

  /** The key reconciliation reads with: STRIPE_RECONCILIATION_KEY, else the main key. */
  get reconciliationKey(): string {
    return this.STRIPE_RECONCILIATION_KEY ?? this.secretKey;
  }

  get requestsPerSecond(): number {
    return this.STRIPE_REQUESTS_PER_SECOND ?? (this.livemode ? 100 : 25);
  }

  /** Stripe operations with a limit of their own, taken in addition to the global budget. */
  get endpointLimits(): EndpointLimit[] {
    return [
      { method: 'POST', path: '/v1/transfers', ratePerSecond: this.STRIPE_TRANSFERS_PER_SECOND },
      { method: 'POST', path: '/v1/transfers/*/reversals', ratePerSecond: this.STRIPE_TRANSFERS_PER_SECOND },
      { method: 'POST', path: '/v1/payouts', ratePerSecond: this.STRIPE_PAYOUTS_PER_SECOND },
    ];
  }

  /** Cross-field rules class-validator cannot express per property. */
  problems(): string[] {
    const out: string[] = [];
    if (this.usesSandbox && this.livemode) out.push('STRIPE_SECRET_KEY: a live key cannot be used with STRIPE_API_BASE (the sandbox)');
    const reconciliation = this.STRIPE_RECONCILIATION_KEY;
    if (reconciliation && /_live_/.test(reconciliation.slice(0, 8)) !== this.livemode)
      out.push(
        `STRIPE_RECONCILIATION_KEY (value not shown): must be a ${this.livemode ? 'live' : 'test'}-mode key like STRIPE_SECRET_KEY (${this.livemode ? 'rk_live_' : 'rk_test_'}...); reconciliation would read another Stripe mode's records`,
      );
    return out;
  }
}
