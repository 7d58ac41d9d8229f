import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ManualPayoutSchedulesWorker } from './manual-payout-schedules.worker.js';
import { PayoutEventsHandler } from './payout-events.handler.js';

/** Seller payouts. For now: Stripe's automatic payouts are booked from their events; PAYOUT_MODE=reviewed puts accounts on manual schedules (approvals come next). */
@Module({
  imports: [LedgerModule, WebhooksModule],
  providers: [PayoutEventsHandler, ManualPayoutSchedulesWorker],
})
export class PayoutsModule {}
