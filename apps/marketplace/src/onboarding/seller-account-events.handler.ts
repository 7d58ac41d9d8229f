import { Inject, Injectable } from '@nestjs/common';
import { StripeGatewayError, type AccountSnapshot, type StripeEventEnvelope } from '@app/stripe';
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
    const seller = accountId ? await this.sellers.findByStripeAccount(accountId) : null;
    // the platform's own account.updated, or an account no seller owns
    if (!accountId || !seller) return { kind: 'skip' };
    if (event.type === 'account.application.deauthorized') return { kind: 'deauthorized', accountId };
    try {
      // a v2 account's v1 events (Stripe sends both) are read through v2, as its row says
      const snapshot = await this.sellers.readAccount(accountId, seller.accountsApi);
      return { kind: 'snapshot', snapshot, readAt: new Date() };
    } catch (error) {
      // access revoked: the deauthorization event (delivered separately) disconnects the seller
      if (error instanceof StripeGatewayError && error.code === 'STRIPE.ACCOUNT_NOT_ENABLED') {
        this.logger.warn({ component: 'onboarding', eventId: event.id, account: accountId }, 'connected account no longer readable; event skipped');
        return { kind: 'skip' };
      }
      throw error;
    }
  }

  async apply(event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void> {
    if (loaded.kind === 'deauthorized') await this.sellers.disconnect(tx, loaded.accountId, event.created, event.id);
    else if (loaded.kind === 'snapshot') await this.sellers.applySnapshot(tx, loaded.snapshot, loaded.readAt, event.id);
  }
}
