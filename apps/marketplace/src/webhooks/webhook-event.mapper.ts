import { ApiProperty } from '@nestjs/swagger';
import { INBOX_STATUSES, WEBHOOK_ENDPOINTS, type WebhookEvent } from './webhook-event.entity.js';

export class WebhookEventResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: WEBHOOK_ENDPOINTS }) endpoint: string;
  @ApiProperty() type: string;
  @ApiProperty({ nullable: true, type: String }) account: string | null;
  @ApiProperty() livemode: boolean;
  @ApiProperty() created: string;
  @ApiProperty() receivedAt: string;
  @ApiProperty({ enum: ['webhook', 'backfill'], description: 'How the event reached the inbox' }) source: string;
  @ApiProperty({ enum: INBOX_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) processedAt: string | null;
}

export class WebhookEventDetailResponse extends WebhookEventResponse {
  @ApiProperty({ type: Object }) payload: Record<string, unknown>;
}

export function toWebhookEventResponse(e: WebhookEvent): WebhookEventResponse {
  return {
    id: e.id,
    endpoint: e.endpoint,
    type: e.type,
    account: e.account,
    livemode: e.livemode,
    created: e.created.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    source: e.source,
    status: e.status,
    attempts: e.attempts,
    nextAttemptAt: e.nextAttemptAt ? e.nextAttemptAt.toISOString() : null,
    lastError: e.lastError,
    processedAt: e.processedAt ? e.processedAt.toISOString() : null,
  };
}

export function toWebhookEventDetailResponse(e: WebhookEvent): WebhookEventDetailResponse {
  return { ...toWebhookEventResponse(e), payload: e.payload };
}

export class ReplayResultResponse {
  @ApiProperty({ description: 'Events sent back to pending' }) replayed: number;
}

export class BackfillResultResponse {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ description: "Events read from Stripe's GET /v1/events" }) scanned: number;
  @ApiProperty({ description: 'Of those, events the inbox did not have' }) inserted: number;
  @ApiProperty({ description: 'Connected accounts read (besides the platform)' }) accounts: number;
  @ApiProperty({ type: [String], description: 'The events it added to the inbox (the first 100)' }) insertedIds: string[];
}
