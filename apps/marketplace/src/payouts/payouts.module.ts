import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ManualPayoutSchedulesWorker } from './manual-payout-schedules.worker.js';
import { BookedPayoutsController } from './booked-payouts.controller.js';
import { BookedPayouts } from './booked-payouts.service.js';
import { PayoutEventsHandler } from './payout-events.handler.js';
import { PayoutRequestSchedule } from './payout-request-schedule.service.js';
import { PayoutRequestsRepository } from './payout-requests.repository.js';
import { PayoutRequestsService } from './payout-requests.service.js';
import { PayoutRunsAdminController } from './payout-runs.admin.controller.js';
import { PayoutsController } from './payouts.controller.js';
import { SellerBalanceService } from './seller-balance.service.js';
import { PayoutHoldLimitWorker } from './payout-hold-limit.worker.js';
import { PayoutReviewQueue } from './payout-review-queue.service.js';
import { PayoutReviewService } from './payout-review.service.js';
import { PayoutSellerFacts } from './payout-seller-facts.js';
import { PayoutsAdminController } from './payouts.admin.controller.js';
import { PayoutExecution } from './payout-execution.service.js';
import { PayoutExecutionWorker } from './payout-execution.worker.js';
import { PayoutLifecycle } from './payout-lifecycle.service.js';
import { PayoutRetryController } from './payout-retry.controller.js';
import { PayoutRetry } from './payout-retry.service.js';
import { PayoutStart } from './payout-start.service.js';

/** Seller payouts: requests reviewed by admins, their attempts at Stripe, and the lifecycle from payout.* events; PAYOUT_MODE=reviewed puts accounts on manual schedules. */
@Module({
  imports: [LedgerModule, WebhooksModule, AuditModule],
  controllers: [PayoutsController, PayoutRunsAdminController, PayoutsAdminController, PayoutRetryController, BookedPayoutsController],
  providers: [
    PayoutEventsHandler,
    ManualPayoutSchedulesWorker,
    PayoutRequestsRepository,
    PayoutRequestsService,
    PayoutRequestSchedule,
    SellerBalanceService,
    PayoutSellerFacts,
    PayoutReviewQueue,
    PayoutReviewService,
    PayoutHoldLimitWorker,
    PayoutLifecycle,
    PayoutStart,
    PayoutExecution,
    PayoutExecutionWorker,
    PayoutRetry,
    BookedPayouts,
  ],
  exports: [PayoutRequestsService],
})
export class PayoutsModule {}
