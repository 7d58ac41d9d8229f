import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, NotFoundError } from '../common/domain-error.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { WebhookEvent, type InboxStatus } from './webhook-event.entity.js';
import { WebhookInboxService } from './webhook-inbox.service.js';

export interface WebhookEventFilter {
  status?: InboxStatus;
  type?: string;
  account?: string;
}

const WEBHOOK_EVENTS_ORDER: KeysetOrder<WebhookEvent> = {
  table: 'webhook_events',
  idColumn: 'id',
  idIsUuid: false,
  direction: 'DESC',
  keys: (a) => [`${a}.received_at`, `${a}.id`],
  idOf: (e) => e.id,
};

const REPLAYABLE: InboxStatus[] = ['dead', 'quarantined', 'processed', 'ignored'];

/** What admins do with the inbox: look, and send events through the handlers again. */
@Injectable()
export class WebhookEventsAdminService {
  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    private readonly inbox: WebhookInboxService,
  ) {}

  /** Newest received first. */
  list(filter: WebhookEventFilter & PaginationQuery): Promise<Page<WebhookEvent>> {
    const q = this.events.createQueryBuilder('e');
    if (filter.status) q.andWhere('e.status = :status', { status: filter.status });
    if (filter.type) q.andWhere('e.type LIKE :type', { type: filter.type.replace(/\*/g, '%') });
    if (filter.account) q.andWhere('e.account = :account', { account: filter.account });
    return keysetPage(q, WEBHOOK_EVENTS_ORDER, filter);
  }

  async get(id: string): Promise<WebhookEvent> {
    const event = await this.events.findOneBy({ id });
    if (!event) throw new NotFoundError('Webhook event', id);
    return event;
  }

  /** Back to `pending` with a fresh attempt budget; handlers are idempotent, so a replay is safe. */
  async replayOne(id: string): Promise<WebhookEvent> {
    const event = await this.get(id);
    if (!REPLAYABLE.includes(event.status)) {
      throw new DomainError('WEBHOOKS.NOT_REPLAYABLE', `Event ${id} is ${event.status}; only ${REPLAYABLE.join(', ')} events can be replayed`, 'conflict');
    }
    await this.requeue({ ids: [id] });
    return this.get(id);
  }

  async replayMany(filter: WebhookEventFilter & { status: InboxStatus }): Promise<{ replayed: number }> {
    return { replayed: await this.requeue(filter) };
  }

  private async requeue(filter: WebhookEventFilter & { ids?: string[] }): Promise<number> {
    const q = this.events
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null, leaseToken: null })
      .where('status IN (:...replayable)', { replayable: REPLAYABLE });
    if (filter.ids) q.andWhere('id IN (:...ids)', { ids: filter.ids });
    if (filter.status) q.andWhere('status = :status', { status: filter.status });
    if (filter.type) q.andWhere('type = :type', { type: filter.type });
    if (filter.account) q.andWhere('account = :account', { account: filter.account });
    const result = await q.execute();
    if (result.affected) this.inbox.notifyNewWork();
    return result.affected ?? 0;
  }
}
