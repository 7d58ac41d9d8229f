import { startClaimLoop, type ClaimLoop } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { PayoutExecution } from './payout-execution.service.js';
import { PayoutStart } from './payout-start.service.js';
import { PayoutsConfig } from './payouts.config.js';

/** In the worker role: pays approved payout requests out (PayoutStart, then PayoutExecution), every PAYOUT_EXECUTION_POLL_MS when idle. */
@Injectable()
export class PayoutExecutionWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: PayoutsConfig,
    private readonly starts: PayoutStart,
    private readonly execution: PayoutExecution,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    this.loop = startClaimLoop({
      name: 'payout-execution',
      idleMs: this.config.PAYOUT_EXECUTION_POLL_MS,
      // each step on its own: a start that fails never holds up the attempts' look-ups and sends
      runOnce: async () => {
        const [started, sent] = await Promise.allSettled([this.starts.startApproved(20), this.execution.runOnce(20)]);
        for (const r of [started, sent]) if (r.status === 'rejected') this.logger.error({ err: r.reason, component: 'payout-execution-worker' }, 'payout execution step failed');
        return (started.status === 'fulfilled' ? started.value : 0) + (sent.status === 'fulfilled' ? sent.value : 0);
      },
      onError: (error) => this.logger.error({ err: error, component: 'payout-execution-worker' }, 'payout execution round failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
