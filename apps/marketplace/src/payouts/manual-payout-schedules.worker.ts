import { startClaimLoop, type ClaimLoop } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { ManualPayoutSchedules } from './manual-payout-schedules.service.js';
import { PayoutsConfig } from './payouts.config.js';

/** In the worker role and PAYOUT_MODE=reviewed: at boot and every PAYOUT_SCHEDULE_POLL_MS, puts the accounts not yet on the manual schedule on it. */
@Injectable()
export class ManualPayoutSchedulesWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: PayoutsConfig,
    private readonly schedules: ManualPayoutSchedules,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers || !this.schedules.applies) return;
    this.loop = startClaimLoop({
      name: 'payout-schedules',
      idleMs: this.config.PAYOUT_SCHEDULE_POLL_MS,
      runOnce: async () => {
        await this.schedules.setMissing();
        return 0; // one pass covers every row: wait for the next
      },
      onError: (error) => this.logger.error({ err: error, component: 'payout-schedules-worker' }, 'payout schedules pass failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
