import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { PayoutEventsHandler } from './payout-events.handler.js';

/** Seller payouts. For now: Stripe's automatic payouts are booked from their events (reviewed payouts come next). */
@Module({
  imports: [LedgerModule, WebhooksModule],
  providers: [PayoutEventsHandler],
})
export class PayoutsModule {}
