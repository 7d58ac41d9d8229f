import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { OrderTransfersPlanner } from './order-transfers.planner.js';
import { RefundReversalsPlanner } from './refund-reversals.planner.js';
import { SellerDebtsService } from './seller-debts.service.js';
import { SellerDebtsController } from './seller-debts.controller.js';
import { TransferReversalFundsHandler } from './transfer-reversal-funds.handler.js';
import { TransferReversalSubmissionService } from './transfer-reversal-submission.service.js';
import { TransferEventsHandler } from './transfer-events.handler.js';
import { TransferReversalsController } from './transfer-reversals.controller.js';
import { TransferReversalsService } from './transfer-reversals.service.js';
import { TransferHoldsService } from './transfer-holds.service.js';
import { TransferOutcomeService } from './transfer-outcome.service.js';
import { TransferSubmissionService } from './transfer-submission.service.js';
import { Transfer } from './transfer.entity.js';
import { TransfersConfig } from './transfers.config.js';
import { TransfersController } from './transfers.controller.js';
import { TransfersRepository } from './transfers.repository.js';
import { TransfersService } from './transfers.service.js';
import { TransfersWorker } from './transfers.worker.js';

/**
 * Transfers of multi-seller orders: the rows (planned by payments when an order is paid), the
 * worker that makes them at Stripe, their webhooks, and the reads and admin actions. Exports the
 * planner (payments sizes and plans with it), TransfersService (an order lists its transfers) and
 * TransferHoldsService (the checkout sets an order's hold, the order's buyer, sellers and admins release it).
 */
@Module({})
export class TransfersModule {
  static register(config: TransfersConfig): DynamicModule {
    return {
      module: TransfersModule,
      global: true, // payments plans an order's transfers in its payment transaction and lists them on the order
      imports: [TypeOrmModule.forFeature([Transfer]), LedgerModule, WebhooksModule],
      controllers: [TransfersController, TransferReversalsController, SellerDebtsController],
      providers: [
        { provide: TransfersConfig, useValue: config },
        TransfersRepository,
        OrderTransfersPlanner,
        TransferOutcomeService,
        TransferSubmissionService,
        TransferHoldsService,
        TransfersService,
        TransferEventsHandler,
        TransfersWorker,
        SellerDebtsService,
        RefundReversalsPlanner,
        TransferReversalSubmissionService,
        TransferReversalFundsHandler,
        TransferReversalsService,
      ],
      exports: [OrderTransfersPlanner, TransfersService, TransferHoldsService, RefundReversalsPlanner, SellerDebtsService],
    };
  }
}
