import { Expose, Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { envInt } from '../config/env-transforms.js';

const COUNT = { message: 'must be an integer number of requests (1 to 1000000)' };
const WINDOW = { message: 'must be an integer number of seconds (1 to 86400)' };

/** The limited routes, each with its own counter per principal. */
export const RATE_LIMITED_ROUTES = ['checkout', 'refunds', 'payouts'] as const;
export type RateLimitedRoute = (typeof RATE_LIMITED_ROUTES)[number];

/**
 * Rate limits (fixed windows, counted in PostgreSQL so every api instance shares them). Every
 * property is the environment variable of the same name.
 */
export class RateLimitsConfig {
  /** `off` limits nothing (benchmarks, a deployment that limits at its proxy). */
  @Expose() @IsIn(['on', 'off'], { message: 'must be on or off' }) RATE_LIMITS: 'on' | 'off' = 'on';

  /** Failed authentications (missing, malformed or unknown API key) from one client address before it is refused 429 for the rest of the window. */
  @Expose() @Transform(envInt) @IsInt(COUNT) @Min(1, COUNT) @Max(1_000_000, COUNT) RATE_LIMIT_AUTH_FAILURES: number = 20;
  @Expose() @Transform(envInt) @IsInt(WINDOW) @Min(1, WINDOW) @Max(86_400, WINDOW) RATE_LIMIT_AUTH_FAILURES_WINDOW_S: number = 300;

  /** POST /checkout per buyer. */
  @Expose() @Transform(envInt) @IsInt(COUNT) @Min(1, COUNT) @Max(1_000_000, COUNT) RATE_LIMIT_CHECKOUTS: number = 60;
  @Expose() @Transform(envInt) @IsInt(WINDOW) @Min(1, WINDOW) @Max(86_400, WINDOW) RATE_LIMIT_CHECKOUTS_WINDOW_S: number = 60;

  /** POST /orders/:id/refunds per admin or seller. */
  @Expose() @Transform(envInt) @IsInt(COUNT) @Min(1, COUNT) @Max(1_000_000, COUNT) RATE_LIMIT_REFUNDS: number = 30;
  @Expose() @Transform(envInt) @IsInt(WINDOW) @Min(1, WINDOW) @Max(86_400, WINDOW) RATE_LIMIT_REFUNDS_WINDOW_S: number = 60;

  /** POST /sellers/me/payouts per seller. */
  @Expose() @Transform(envInt) @IsInt(COUNT) @Min(1, COUNT) @Max(1_000_000, COUNT) RATE_LIMIT_PAYOUT_REQUESTS: number = 10;
  @Expose() @Transform(envInt) @IsInt(WINDOW) @Min(1, WINDOW) @Max(86_400, WINDOW) RATE_LIMIT_PAYOUT_REQUESTS_WINDOW_S: number = 60;

  /** How often an api instance deletes expired counters (one indexed DELETE). */
  @Expose() @Transform(envInt) @IsInt(WINDOW) @Min(1, WINDOW) @Max(86_400, WINDOW) RATE_LIMIT_CLEANUP_S: number = 300;

  get enabled(): boolean {
    return this.RATE_LIMITS === 'on';
  }

  /** Requests allowed per window, and the window in ms (`ttl`, as @nestjs/throttler names it), of one limited route. */
  limitOf(route: RateLimitedRoute): { limit: number; ttl: number } {
    const [limit, windowS] = {
      checkout: [this.RATE_LIMIT_CHECKOUTS, this.RATE_LIMIT_CHECKOUTS_WINDOW_S],
      refunds: [this.RATE_LIMIT_REFUNDS, this.RATE_LIMIT_REFUNDS_WINDOW_S],
      payouts: [this.RATE_LIMIT_PAYOUT_REQUESTS, this.RATE_LIMIT_PAYOUT_REQUESTS_WINDOW_S],
    }[route];
    return { limit, ttl: windowS * 1000 };
  }
}
