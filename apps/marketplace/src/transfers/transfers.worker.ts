import { startClaimLoop, type ClaimLoop } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { TransferHoldsService } from './transfer-holds.service.js';
import { TransferReversalSubmissionService } from './transfer-reversal-submission.service.js';
import { TransferSubmissionService } from './transfer-submission.service.js';
import { TransfersConfig } from './transfers.config.js';

/** Makes the transfers that are due, in the worker role (ROLE=worker or all): first the holds whose time has come are released, then the transfers are made, then the refunds' transfer reversals. */
@Injectable()
export class TransfersWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: TransfersConfig,
    private readonly submission: TransferSubmissionService,
    private readonly holds: TransferHoldsService,
    private readonly reversals: TransferReversalSubmissionService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    this.loop = startClaimLoop({
      name: 'transfers',
      idleMs: this.config.TRANSFERS_WORKER_POLL_MS,
      runOnce: async () => {
        await this.holds.releaseDue();
        return (await this.submission.runOnce(this.config.TRANSFERS_CLAIM_BATCH, this.app.INSTANCE_NAME)) + (await this.reversals.runOnce());
      },
      onError: (error) => this.logger.error({ err: error, component: 'transfers-worker' }, 'transfers worker round failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
