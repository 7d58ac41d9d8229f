import { Inject, Injectable } from '@nestjs/common';
import type { AccountSnapshot, StripeEventEnvelope } from '@app/stripe';
import type { Logger } from 'pino';
import type { EntityManager } from 'typeorm';
import { ROOT_LOGGER } from '../common/logger.js';
import { HandlesStripeEvents, type StripeEventHandler } from '../webhooks/stripe-event-handler.js';
import { SellerAccountsService } from './seller-accounts.service.js';

type Loaded = { kind: 'skip' } | { kind: 'deauthorized'; accountId: string } | { kind: 'snapshot'; snapshot: AccountSnapshot; readAt: Date };

/**
 * Keeps sellers in step with their accounts. The event only says "look again": the account is
 * re-read from Stripe, and the read time decides whether it is newer than what is stored.
 */
@Injectable()
@HandlesStripeEvents('account.updated', 'capability.updated', 'account.application.deauthorized')
export class SellerAccountEventsHandler implements StripeEventHandler<Loaded> {
  constructor(
    private readonly sellers: SellerAccountsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async load(event: StripeEventEnvelope): Promise<Loaded> {
    const accountId = event.account ?? (event.type === 'account.updated' ? event.objectId : null);
    // the platform's own account.updated, or an account no seller owns
    if (!accountId || !(await this.sellers.findByStripeAccount(accountId))) return { kind: 'skip' };
    if (event.type === 'account.application.deauthorized') return { kind: 'deauthorized', accountId };
    // a v2 account's v1 events (Stripe sends both) are read through v2, as its row says
    const read = await this.sellers.readForEvent(accountId, () =>
      this.logger.warn({ component: 'onboarding', eventId: event.id, account: accountId }, 'connected account no longer readable; event skipped'),
    );
    return read ? { kind: 'snapshot', ...read } : { kind: 'skip' };
  }

  async apply(event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'deauthorized') await this.sellers.disconnect(tx, loaded.accountId, event.created, event.id);
    else if (loaded.kind === 'snapshot') await this.sellers.applySnapshot(tx, loaded.snapshot, loaded.readAt, event.id);
  }
}
