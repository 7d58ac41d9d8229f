import { startClaimLoop, type ClaimLoop } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { DisputeRecoveryService } from './disputes/dispute-recovery.service.js';
import { RefundFailureReturnService } from './refunds/refund-failure-return.service.js';
import { RefundRecoveryService } from './refunds/refund-recovery.service.js';
import { RefundReturnReversalService } from './refunds/refund-return-reversal.service.js';
import { PaymentsConfig } from './payments.config.js';
import { StrandedCheckoutSweeper } from './checkout/stranded-checkout.sweeper.js';

/** Runs dispute recoveries and returns, finishes stranded refunds, returns failed refunds' seller shares, reverses return transfers for later refunds and expires stranded checkouts, in the worker role (ROLE=worker or all). */
@Injectable()
export class PaymentsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: PaymentsConfig,
    private readonly recovery: DisputeRecoveryService,
    private readonly refunds: RefundRecoveryService,
    private readonly failureReturns: RefundFailureReturnService,
    private readonly returnReversals: RefundReturnReversalService,
    private readonly stranded: StrandedCheckoutSweeper,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    this.loop = startClaimLoop({
      name: 'payments',
      idleMs: this.config.PAYMENTS_WORKER_POLL_MS,
      runOnce: async () =>
        (await this.recovery.runOnce()) + (await this.refunds.runOnce()) + (await this.failureReturns.runOnce()) + (await this.returnReversals.runOnce()) + (await this.stranded.runOnce()),
      onError: (error) => this.logger.error({ err: error, component: 'payments-worker' }, 'payments worker round failed'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
