import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** platform and Connect snapshot events, and thin events from an event destination (`events`). */
export const WEBHOOK_ENDPOINTS = ['platform', 'connect', 'events'] as const;
export type WebhookEndpoint = (typeof WEBHOOK_ENDPOINTS)[number];
export const INBOX_STATUSES = ['pending', 'processing', 'processed', 'ignored', 'dead', 'quarantined'] as const;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

/** One Stripe event, stored by its id before anything acts on it. */
@Entity({ name: 'webhook_events' })
@Check('webhook_events_endpoint_check', `endpoint IN ('platform', 'connect', 'events')`)
@Check('webhook_events_status_check', `status IN ('pending', 'processing', 'processed', 'ignored', 'dead', 'quarantined')`)
@Index('webhook_events_due_idx', ['nextAttemptAt'], { where: `status IN ('pending', 'processing')` })
@Index('webhook_events_status_idx', ['status', 'receivedAt'])
@Index('webhook_events_created_idx', ['created'])
@Index('webhook_events_received_idx', ['receivedAt'])
export class WebhookEvent {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  endpoint: WebhookEndpoint;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text', nullable: true })
  account: string | null;

  @Column({ type: 'boolean' })
  livemode: boolean;

  @Column({ type: 'timestamptz' })
  created: Date;

  @Column({ name: 'api_version', type: 'text', nullable: true })
  apiVersion: string | null;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  objectId: string | null;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  /** 'webhook' (delivered) or 'backfill' (found in GET /v1/events). */
  @Column({ type: 'varchar', length: 16, default: 'webhook' })
  source: string;

  @Column({ type: 'varchar', length: 16 })
  status: InboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
