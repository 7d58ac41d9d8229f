import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { BooksReader } from './books-reader.js';
import { DiscrepancyActions } from './discrepancy-actions.service.js';
import { DiscrepancyHealers } from './discrepancy-healers.service.js';
import { ObjectChecks, ObjectsPass } from './object-checks.js';
import { PayoutChecks, PayoutsPass } from './payout-checks.js';
import { BalancesPass, DiscrepancyRecheck, RecheckPass } from './recheck-pass.js';
import { ReconciliationAdminController } from './reconciliation.admin.controller.js';
import { RUN_PASSES, type RunPass } from './reconciliation-run.js';
import { ReconciliationReports } from './reconciliation-reports.service.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationSchedule } from './reconciliation-schedule.service.js';
import { ReconciliationStore } from './reconciliation-store.js';
import { RunBalances } from './run-balances.js';
import { TransactionJudge } from './transaction-judge.js';
import { InFlightPass, LedgerTransactionsPass, StripeTransactionsPass } from './transaction-passes.js';

const PASSES = [RecheckPass, InFlightPass, StripeTransactionsPass, LedgerTransactionsPass, PayoutsPass, ObjectsPass, BalancesPass];

/** Scheduled reconciliation: the ledger, Stripe's balance transactions and every payout compared; differences as data an admin heals or resolves. */
@Module({
  imports: [LedgerModule, WebhooksModule, AuditModule],
  controllers: [ReconciliationAdminController],
  providers: [
    ReconciliationStore,
    BooksReader,
    TransactionJudge,
    PayoutChecks,
    ObjectChecks,
    DiscrepancyRecheck,
    ...PASSES,
    { provide: RUN_PASSES, useFactory: (...passes: RunPass[]) => passes, inject: PASSES },
    RunBalances,
    ReconciliationRunner,
    ReconciliationSchedule,
    ReconciliationReports,
    DiscrepancyActions,
    DiscrepancyHealers,
  ],
})
export class ReconciliationModule {}
