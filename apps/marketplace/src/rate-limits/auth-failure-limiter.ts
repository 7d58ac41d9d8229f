import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { PgRateLimiter } from './pg-rate-limiter.js';
import { RateLimitedError, retryAfterOf } from './rate-limited.error.js';
import { RateLimitsConfig } from './rate-limits.config.js';

/**
 * Failed authentications per client address: after RATE_LIMIT_AUTH_FAILURES in a window every
 * request from that address that needs a key is refused 429 before its key is looked at (so a
 * guessed key cannot be confirmed), until the window ends.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly failures: PgRateLimiter;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: RateLimitsConfig,
  ) {
    this.failures = new PgRateLimiter(dataSource, { keyPrefix: 'auth-failures', points: config.RATE_LIMIT_AUTH_FAILURES, duration: config.RATE_LIMIT_AUTH_FAILURES_WINDOW_S });
  }

  async refuseIfBlocked(address: string): Promise<void> {
    if (!this.config.enabled) return;
    const count = await this.failures.get(address);
    if (count && count.consumedPoints >= this.config.RATE_LIMIT_AUTH_FAILURES) {
      const seconds = retryAfterOf(count);
      throw new RateLimitedError(`Too many failed authentications from this address; retry in ${seconds} s`, seconds);
    }
  }

  async recordFailure(address: string): Promise<void> {
    if (this.config.enabled) await this.failures.penalty(address);
  }
}
