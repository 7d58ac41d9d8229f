import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectedAccountDirectory } from './connected-account-directory.js';
import { StripeEventHandlerRegistry } from './stripe-event-handler.registry.js';
import { WebhookBackfillService } from './webhook-backfill.service.js';
import { WebhookDispatcherService } from './webhook-dispatcher.service.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { WebhookEventsAdminController } from './webhook-events.admin.controller.js';
import { WebhookEventsAdminService } from './webhook-events.admin.service.js';
import { WebhookInboxService } from './webhook-inbox.service.js';
import { WebhookWorker } from './webhook-worker.js';
import { WebhookReceiver } from './webhook-receiver.js';

@Module({
  imports: [DiscoveryModule, TypeOrmModule.forFeature([WebhookEvent])],
  controllers: [WebhookEventsAdminController],
  providers: [ConnectedAccountDirectory, StripeEventHandlerRegistry, WebhookInboxService, WebhookDispatcherService, WebhookWorker, WebhookBackfillService, WebhookEventsAdminService, WebhookReceiver],
  exports: [ConnectedAccountDirectory, WebhookDispatcherService, WebhookInboxService, WebhookBackfillService],
})
export class WebhooksModule {}
