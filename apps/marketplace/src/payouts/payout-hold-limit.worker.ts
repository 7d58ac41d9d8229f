import { startClaimLoop, type ClaimLoop } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { PayoutReviewQueue } from './payout-review-queue.service.js';
import { PayoutRiskConfig } from './payout-risk.config.js';

/**
 * "A seller is never left past the hold limit without an admin being told": in the worker role,
 * at boot and every PAYOUT_HOLD_LIMIT_POLL_MS, every seller whose oldest unpaid available funds are
 * within PAYOUT_HOLD_LIMIT_WARN_DAYS of Stripe's manual-payout hold limit, or past it, is logged at
 * error with `alert: payout_hold_limit` (as transfers do for `transfer_hold_expired`), on every pass
 * while it lasts; GET /admin/payouts/hold-limit lists the same sellers.
 */
@Injectable()
export class PayoutHoldLimitWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: PayoutRiskConfig,
    private readonly queue: PayoutReviewQueue,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    this.loop = startClaimLoop({
      name: 'payout-hold-limit',
      idleMs: this.config.PAYOUT_HOLD_LIMIT_POLL_MS,
      runOnce: async () => {
        await this.tellAdmins();
        return 0; // one pass covers every seller: wait for the next
      },
      onError: (error) => this.logger.error({ err: error, component: 'payout-hold-limit-worker' }, 'payout hold-limit pass failed'),
    });
  }

  /** One pass: tells admins of each seller near or past the limit. Returns how many. */
  async tellAdmins(now?: Date): Promise<number> {
    const standings = await this.queue.holdLimit(now);
    for (const s of standings) {
      this.logger.error(
        {
          component: 'payouts',
          alert: 'payout_hold_limit',
          past: s.past,
          sellerId: s.sellerId,
          stripeAccount: s.stripeAccount,
          currency: s.currency,
          amount: s.available.toString(),
          availableSince: s.availableSince.toISOString(),
          deadline: s.deadline.toISOString(),
          daysLeft: s.daysLeft,
        },
        `a seller's funds are ${s.past ? 'past' : 'near'} Stripe's manual-payout hold limit: ${s.reason}`,
      );
    }
    return standings.length;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
