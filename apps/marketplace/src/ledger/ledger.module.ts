import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerEntry } from './ledger-entry.entity.js';
import { LedgerLine } from './ledger-line.entity.js';
import { LedgerAdminController } from './ledger.admin.controller.js';
import { LedgerService } from './ledger.service.js';

/** The double-entry journal. Other modules write it only through LedgerService, in their own transaction. */
@Module({
  imports: [TypeOrmModule.forFeature([LedgerEntry, LedgerLine])],
  controllers: [LedgerAdminController],
  providers: [LedgerService],
  exports: [LedgerService],
})
export class LedgerModule {}
