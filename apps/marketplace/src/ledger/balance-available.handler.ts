import type { StripeEventEnvelope } from '@app/stripe';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { LedgerService } from './ledger.service.js';
import { nonOverlapping } from '../common/non-overlapping.js';

/**
 * `balance.available` (platform and Connect): Stripe's clock has passed some funds' available_on.
 * Books availability for every balance transaction due at the event's time (Stripe's clock, not
 * ours), whichever balance it belongs to. Safe to run twice and in any order.
 */
@Injectable()
@HandlesStripeEvents('balance.available')
export class BalanceAvailableHandler implements StripeEventHandler {
  constructor(private readonly ledger: LedgerService) {}

  async apply(event: StripeEventEnvelope, tx: EntityManager): Promise<void> {
    await this.ledger.bookAvailable(tx, event.created);
  }
}

/**
 * The same sweep on a timer (worker role), for funds whose balance.available event was missed:
 * due by the latest time Stripe is known to have reached (newest event) or by now.
 */
@Injectable()
export class FundsAvailabilitySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly ledger: LedgerService,
    private readonly app: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers || this.app.LEDGER_AVAILABILITY_SWEEP_MS === 0) return;
    // one sweep at a time: on a busy database overlapping sweeps would each wait for a connection the others hold
    const sweep = nonOverlapping(() => this.sweep());
    this.timer = setInterval(() => void sweep(), this.app.LEDGER_AVAILABILITY_SWEEP_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async sweep(): Promise<number> {
    try {
      return await this.db.transaction((tx) => this.ledger.bookAvailable(tx));
    } catch (error) {
      this.logger.error({ err: error, component: 'ledger-availability' }, 'availability sweep failed');
      return 0;
    }
  }
}
