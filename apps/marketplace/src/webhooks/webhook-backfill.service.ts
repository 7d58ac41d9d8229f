import { withSessionLock } from '@app/database';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { StripeGateway } from '@app/stripe';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { ConnectedAccountDirectory } from './connected-account-directory.js';
import { StripeEventHandlerRegistry } from './stripe-event-handler.registry.js';
import { WebhookInboxService } from './webhook-inbox.service.js';
import { WebhooksConfig } from './webhooks.config.js';

export interface BackfillResult {
  from: string;
  to: string;
  scanned: number;
  inserted: number;
  accounts: number;
  /** The events it added to the inbox (the first 100): what healed a difference reconciliation found. */
  insertedIds: string[];
}

const BACKFILL_LOCK = 7_420_002;

/**
 * Pages GET /v1/events over a window (the platform's events, then each known connected account's),
 * then GET /v2/core/events (thin events of the types a handler takes), and inserts what the inbox lacks through the same path as a delivery: an outage of our endpoint
 * loses nothing. Scheduled in the worker role; one instance at a time (advisory lock).
 */
@Injectable()
export class WebhookBackfillService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly gateway: StripeGateway,
    private readonly inbox: WebhookInboxService,
    private readonly accounts: ConnectedAccountDirectory,
    private readonly registry: StripeEventHandlerRegistry,
    private readonly app: AppConfig,
    private readonly config: WebhooksConfig,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers || this.config.WEBHOOK_BACKFILL_LOOKBACK_S === 0) return;
    this.timer = setInterval(() => void this.scheduled(), this.config.WEBHOOK_BACKFILL_EVERY_S * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** `only`: one balance's events (`platform`, or a connected account), e.g. to heal one difference reconciliation found. */
  async backfill(window: { from: Date; to: Date }, only?: string): Promise<BackfillResult> {
    let scanned = 0;
    let inserted = 0;
    const insertedIds: string[] = [];
    const connected = only ? (only === 'platform' ? [] : [only]) : await this.accounts.list();
    for (const account of only && only !== 'platform' ? connected : [undefined, ...connected]) {
      for await (const event of this.gateway.listEvents(window, account)) {
        scanned++;
        const accepted = await this.inbox.accept(event, event.account ? 'connect' : 'platform', 'backfill');
        if (accepted.inserted && ++inserted <= 100) insertedIds.push(event.id);
      }
    }
    // thin events (Accounts v2) live in GET /v2/core/events, not /v1/events: the types a handler takes
    const thinTypes = this.registry.types().filter((type) => type.startsWith('v2.'));
    if (thinTypes.length) {
      for await (const event of this.gateway.listThinEvents(window, thinTypes)) {
        scanned++;
        if ((await this.inbox.accept(event, 'events', 'backfill')).inserted && ++inserted <= 100) insertedIds.push(event.id);
      }
    }
    const result = { from: window.from.toISOString(), to: window.to.toISOString(), scanned, inserted, accounts: connected.length, insertedIds };
    this.logger.info({ component: 'webhook-backfill', from: result.from, to: result.to, scanned, inserted, accounts: result.accounts }, 'backfill finished');
    return result;
  }

  private async scheduled(): Promise<void> {
    try {
      await withSessionLock(this.db, BACKFILL_LOCK, async () => {
        const to = new Date();
        await this.backfill({ from: new Date(to.getTime() - this.config.WEBHOOK_BACKFILL_LOOKBACK_S * 1000), to });
      });
    } catch (error) {
      this.logger.error({ err: error, component: 'webhook-backfill' }, 'scheduled backfill failed');
    }
  }
}
