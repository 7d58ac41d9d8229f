import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { startClaimLoop, type ClaimLoop } from '@app/database';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { AppConfig } from '../config/app.config.js';
import { WebhookDispatcherService } from './webhook-dispatcher.service.js';
import { WebhookInboxService } from './webhook-inbox.service.js';
import { WebhooksConfig } from './webhooks.config.js';

/** Runs the inbox dispatcher in the worker role (ROLE=worker or all). */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private loop: ClaimLoop | null = null;

  constructor(
    private readonly app: AppConfig,
    private readonly config: WebhooksConfig,
    private readonly dispatcher: WebhookDispatcherService,
    private readonly inbox: WebhookInboxService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.app.runsWorkers) return;
    this.loop = startClaimLoop({
      name: 'webhook-inbox',
      idleMs: this.config.WEBHOOK_POLL_MS,
      runOnce: () => this.dispatcher.runOnce(),
      onError: (error) => this.logger.error({ err: error, component: 'webhook-worker' }, 'inbox round failed'),
    });
    this.inbox.onNewEvent(() => this.loop?.poke());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
    this.loop = null;
  }
}
