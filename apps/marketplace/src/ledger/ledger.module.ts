import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerEntry } from './ledger-entry.entity.js';
import { LedgerLine } from './ledger-line.entity.js';
import { LedgerAdminController } from './ledger.admin.controller.js';
import { LedgerService } from './ledger.service.js';
import { BalanceAvailableHandler, FundsAvailabilitySweeper } from './balance-available.handler.js';
import { BalanceCheckService } from './balance-check.service.js';
import { LedgerPayoutAllocation } from './ledger-payout-allocation.entity.js';
import { PayoutAllocations } from './payout-allocations.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';

/** The double-entry journal (and what each payout paid out). Other modules write it only through LedgerService, in their own transaction. */
@Module({
  imports: [TypeOrmModule.forFeature([LedgerEntry, LedgerLine, LedgerPayoutAllocation]), WebhooksModule],
  controllers: [LedgerAdminController],
  providers: [LedgerService, BalanceCheckService, BalanceAvailableHandler, FundsAvailabilitySweeper, PayoutAllocations],
  exports: [LedgerService, BalanceCheckService, PayoutAllocations],
})
export class LedgerModule {}
