import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StripeEventEnvelope } from '@app/stripe';
import type { DataSource } from 'typeorm';
import { ConnectedAccountDirectory } from './connected-account-directory.js';
import type { InboxStatus, WebhookEndpoint } from './webhook-event.entity.js';

export interface AcceptedEvent {
  id: string;
  /** false when the event was already in the inbox (a duplicate delivery). */
  inserted: boolean;
  status: InboxStatus;
}

/** The inbox's front door: store a verified event once, by its id. Nothing slow happens here. */
@Injectable()
export class WebhookInboxService {
  private readonly listeners: Array<() => void> = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: ConnectedAccountDirectory,
  ) {}

  async accept(event: StripeEventEnvelope, endpoint: WebhookEndpoint, source: 'webhook' | 'backfill' = 'webhook'): Promise<AcceptedEvent> {
    // A Connect event for an account we do not know is kept (evidence) but never applied.
    const quarantined = endpoint === 'connect' && (!event.account || !(await this.accounts.isKnown(event.account)));
    const status: InboxStatus = quarantined ? 'quarantined' : 'pending';
    const rows: unknown[] = await this.db.query(
      `INSERT INTO webhook_events (id, endpoint, type, account, livemode, created, api_version, object_id, payload, source, status, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::varchar, CASE WHEN $11::varchar = 'pending' THEN now() END)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [event.id, endpoint, event.type, event.account, event.livemode, event.created, event.apiVersion, event.objectId, event.payload, source, status],
    );
    const inserted = rows.length === 1;
    if (inserted && status === 'pending') this.notifyNewWork();
    return { id: event.id, inserted, status };
  }

  notifyNewWork(): void {
    for (const listener of this.listeners) listener();
  }

  /** Called after a new pending event lands, so a local worker can start at once. */
  onNewEvent(listener: () => void): void {
    this.listeners.push(listener);
  }
}
