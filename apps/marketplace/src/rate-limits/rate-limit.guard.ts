import { applyDecorators, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { AuthenticatedRequest } from '../identity/auth.decorators.js';
import { PgRateLimiter } from './pg-rate-limiter.js';
import { RateLimitedError, retryAfterOf } from './rate-limited.error.js';
import { RATE_LIMITED_ROUTES, RateLimitsConfig, type RateLimitedRoute } from './rate-limits.config.js';

const RATE_LIMITED_ROUTE = 'rate-limits:route';
const WHAT: Record<RateLimitedRoute, string> = { checkout: 'checkouts', refunds: 'refunds', payouts: 'payout requests' };

/**
 * Counts the request against its route's limit for the principal (the AuthGuard ran first), in
 * PostgreSQL; past it, 429 before the handler (and its Idempotency-Key) runs. An idempotent
 * replay is a request too.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiters: Record<RateLimitedRoute, PgRateLimiter>;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: RateLimitsConfig,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.limiters = Object.fromEntries(
      RATE_LIMITED_ROUTES.map((route) => {
        const { limit, ttl } = config.limitOf(route);
        return [route, new PgRateLimiter(dataSource, { keyPrefix: route, points: limit, duration: ttl / 1000 })];
      }),
    ) as Record<RateLimitedRoute, PgRateLimiter>;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.enabled) return true;
    const route = this.reflector.get<RateLimitedRoute>(RATE_LIMITED_ROUTE, context.getHandler());
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('RateLimit used on a route without an API key');
    try {
      await this.limiters[route].consume(principal.id);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const { limit, ttl } = this.config.limitOf(route);
      const seconds = retryAfterOf(error);
      throw new RateLimitedError(`Too many ${WHAT[route]}: at most ${limit} in ${ttl / 1000} s; retry in ${seconds} s`, seconds);
    }
  }
}

/** Limits the route by its RATE_LIMIT_* setting per principal: 429 RATE_LIMITED with Retry-After past it. */
export const RateLimit = (route: RateLimitedRoute) => applyDecorators(SetMetadata(RATE_LIMITED_ROUTE, route), UseGuards(RateLimitGuard));
