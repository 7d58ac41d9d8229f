import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { StripeEventEnvelope } from '@app/stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { ConnectedAccountDirectory } from './connected-account-directory.js';
import { InboxBatchWriter } from './inbox-batch-writer.js';
import { WebhookEvent, type InboxStatus, type WebhookEndpoint } from './webhook-event.entity.js';

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
  private readonly writer: InboxBatchWriter;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly accounts: ConnectedAccountDirectory,
  ) {
    this.writer = new InboxBatchWriter(db);
  }

  /**
   * The latest time Stripe is known to have reached: the newest `created` of any event received
   * (Stripe's own clock), or null before the first event. Balance transactions whose available_on
   * is not after it are available.
   */
  async latestStripeTime(manager?: EntityManager): Promise<Date | null> {
    const rows: Array<{ at: Date | null }> = await (manager ?? this.db.manager).query(`SELECT max(created) AS at FROM webhook_events`);
    return rows[0]?.at ?? null;
  }

  async accept(event: StripeEventEnvelope, endpoint: WebhookEndpoint, source: 'webhook' | 'backfill' = 'webhook'): Promise<AcceptedEvent> {
    // A Connect event, or a thin event about an account, for an account we do not know is kept
    // (evidence) but never applied.
    const quarantined =
      (endpoint === 'connect' && (!event.account || !(await this.accounts.isKnown(event.account)))) ||
      (endpoint === 'events' && event.account !== null && !(await this.accounts.isKnown(event.account)));
    const status: InboxStatus = quarantined ? 'quarantined' : 'pending';
    const inserted = await this.writer.insert({
      id: event.id,
      endpoint,
      type: event.type,
      account: event.account,
      livemode: event.livemode,
      created: event.created,
      apiVersion: event.apiVersion,
      objectId: event.objectId,
      payloadJson: event.rawJson ?? JSON.stringify(event.payload),
      source,
      status,
    });
    if (inserted && status === 'pending') this.notifyNewWork();
    return { id: event.id, inserted, status };
  }

  /**
   * An account just became known (its seller's row now holds its id): the events about it that
   * arrived before, quarantined as a stranger's, are worked now (their handlers read the account).
   */
  async releaseQuarantined(account: string): Promise<number> {
    const result = await this.db
      .getRepository(WebhookEvent)
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null, leaseToken: null })
      .where(`status = 'quarantined' AND account = :account`, { account })
      .execute();
    if (result.affected) this.notifyNewWork();
    return result.affected ?? 0;
  }

  notifyNewWork(): void {
    for (const listener of this.listeners) listener();
  }

  /** Called after a new pending event lands, so a local worker can start at once. */
  onNewEvent(listener: () => void): void {
    this.listeners.push(listener);
  }
}
