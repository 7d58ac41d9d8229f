import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app.config.js';
import { ROOT_LOGGER } from '../common/logger.js';
import { nonOverlapping } from '../common/non-overlapping.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { deleteExpiredCounters } from './pg-rate-limiter.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitsConfig } from './rate-limits.config.js';

/** Deletes expired counters now and then (any api instance; the DELETE is harmless twice). */
@Injectable()
class RateLimitCountersCleanup implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: RateLimitsConfig,
    private readonly app: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (!this.app.servesHttp || !this.config.enabled) return;
    // a DELETE still running when the next tick comes (a busy pool) is not joined by another
    const tick = nonOverlapping(() => this.cleanUp());
    this.timer = setInterval(() => void tick(), this.config.RATE_LIMIT_CLEANUP_S * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async cleanUp(): Promise<void> {
    try {
      const deleted = await deleteExpiredCounters(this.dataSource);
      if (deleted) this.logger.debug({ component: 'rate-limits', deleted }, 'deleted expired rate-limit counters');
    } catch (error) {
      this.logger.warn({ err: error, component: 'rate-limits' }, 'could not delete expired rate-limit counters');
    }
  }
}

/**
 * Rate limits with rate-limiter-flexible, its counters in PostgreSQL (PgRateLimiter): per principal
 * on the routes marked @RateLimit, and failed authentications per client address (the AuthGuard).
 */
@Global()
@Module({})
export class RateLimitsModule {
  static register(config: RateLimitsConfig): DynamicModule {
    return {
      module: RateLimitsModule,
      providers: [{ provide: RateLimitsConfig, useValue: config }, AuthFailureLimiter, RateLimitGuard, RateLimitCountersCleanup],
      exports: [RateLimitsConfig, AuthFailureLimiter, RateLimitGuard],
    };
  }
}
