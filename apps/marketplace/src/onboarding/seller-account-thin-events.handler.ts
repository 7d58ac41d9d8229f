import { Inject, Injectable } from '@nestjs/common';
import { StripeGateway, type AccountSnapshot, type StripeEventEnvelope } from '@app/stripe';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { SellerAccountsService } from './seller-accounts.service.js';

/** The thin events Accounts v2 sends about a connected account's onboarding (from an event destination). */
export const ACCOUNT_THIN_EVENT_TYPES = [
  'v2.core.account.created',
  'v2.core.account.updated',
  'v2.core.account.closed',
  'v2.core.account[requirements].updated',
  'v2.core.account[configuration.recipient].updated',
  'v2.core.account[configuration.recipient].capability_status_updated',
  'v2.core.account[configuration.merchant].updated',
  'v2.core.account[configuration.merchant].capability_status_updated',
  // the seller came back through a v2 Account Link's return_url
  'v2.core.account_link.returned',
] as const;

type Loaded = { kind: 'skip' } | { kind: 'snapshot'; snapshot: AccountSnapshot; readAt: Date };

/**
 * Keeps sellers in step with thin events. A thin event carries no state: `load` fetches the event
 * from Stripe (`GET /v2/core/events/:id`, what it is about) and then the account, through the API
 * that made it; the read time decides whether it is newer than what is stored (the same monotonic
 * rule as the v1 events), so duplicated, shuffled or replayed deliveries change nothing twice.
 */
@Injectable()
@HandlesStripeEvents(...ACCOUNT_THIN_EVENT_TYPES)
export class SellerAccountThinEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly sellers: SellerAccountsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const fetched = await this.gateway.retrieveThinEvent(event.id);
    const accountId = fetched.accountId;
    if (!accountId) return { kind: 'skip' };
    const read = await this.sellers.readForEvent(accountId, () =>
      this.logger.warn({ component: 'onboarding', eventId: event.id, account: accountId }, 'connected account no longer readable; thin event skipped'),
    );
    return read ? { kind: 'snapshot', ...read } : { kind: 'skip' };
  }

  async apply(event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'snapshot') await this.sellers.applySnapshot(tx, loaded.snapshot, loaded.readAt, event.id);
  }
}
