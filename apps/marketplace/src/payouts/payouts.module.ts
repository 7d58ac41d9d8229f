import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ManualPayoutSchedulesWorker } from './manual-payout-schedules.worker.js';
import { PayoutEventsHandler } from './payout-events.handler.js';
import { PayoutExecution } from './payout-execution.service.js';
import { PayoutExecutionWorker } from './payout-execution.worker.js';
import { PayoutLifecycle } from './payout-lifecycle.service.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PayoutRetryController } from './payout-retry.controller.js';
import { PayoutRetry } from './payout-retry.service.js';
import { PayoutStart } from './payout-start.service.js';

/** Seller payouts: requests reviewed by admins, their attempts at Stripe, and the lifecycle from payout.* events; PAYOUT_MODE=reviewed puts accounts on manual schedules. */
@Module({
  imports: [LedgerModule, WebhooksModule, AuditModule],
  controllers: [PayoutRetryController],
  providers: [PayoutEventsHandler, ManualPayoutSchedulesWorker, PayoutRequestsRepository, PayoutLifecycle, PayoutStart, PayoutExecution, PayoutExecutionWorker, PayoutRetry],
})
export class PayoutsModule {}
