import type { RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../common/domain-error.js';

/** 429 RATE_LIMITED; the error filter answers `retryAfterSeconds` as Retry-After. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message, 'rate_limited', { retryAfterSeconds });
  }
}

/** Whole seconds until the window ends, at least 1 (Retry-After). */
export const retryAfterOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
