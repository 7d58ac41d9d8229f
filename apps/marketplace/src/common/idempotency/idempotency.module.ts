import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { AppConfig } from '../../config/app.config.js';
import { ROOT_LOGGER } from '../logger.js';
import { IdempotencyKeyRecord } from './idempotency-key.entity.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyService } from './idempotency.service.js';

/** Deletes keys past their 24 h (worker role). */
@Injectable()
export class IdempotencyKeysJanitor {
  constructor(
    private readonly keys: IdempotencyService,
    private readonly app: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  @Interval('idempotency-keys-janitor', 15 * 60 * 1000)
  async deleteExpired(): Promise<void> {
    if (!this.app.runsWorkers) return;
    try {
      const deleted = await this.keys.deleteExpired();
      if (deleted) this.logger.info({ component: 'idempotency', deleted }, 'deleted expired idempotency keys');
    } catch (error) {
      this.logger.error({ err: error, component: 'idempotency' }, 'could not delete expired idempotency keys');
    }
  }
}

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKeyRecord])],
  providers: [IdempotencyService, IdempotencyInterceptor, IdempotencyKeysJanitor],
  exports: [IdempotencyService, IdempotencyInterceptor],
})
export class IdempotencyModule {}
