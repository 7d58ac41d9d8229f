import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ListingsModule } from '../listings/listings.module.js';
import { CartPricingService } from './cart-pricing.service.js';
import { CheckoutService } from './checkout.service.js';
import { DisputeEventsHandler } from './dispute-events.handler.js';
import { DisputeRecoveryService } from './dispute-recovery.service.js';
import { PaymentsWorker } from './payments.worker.js';
import { Dispute } from './dispute.entity.js';
import { DisputesService } from './disputes.service.js';
import { PaymentsFundsAvailableHandler } from './funds-available.handler.js';
import { RefundReturnReversalService } from './refund-return-reversal.service.js';
import { OrderLine } from './order-line.entity.js';
import { OrderPaymentsService } from './order-payments.service.js';
import { OrderSeller } from './order-seller.entity.js';
import { Order } from './order.entity.js';
import { OrdersController } from './orders.controller.js';
import { OrdersRepository } from './orders.repository.js';
import { OrdersService } from './orders.service.js';
import { PaymentNotMadeHandler, PaymentSucceededHandler } from './payment-events.handler.js';
import { PaymentsConfig } from './payments.config.js';
import { RefundEventsHandler } from './refund-events.handler.js';
import { RefundFailureReturnService } from './refund-failure-return.service.js';
import { RefundSettlementService } from './refund-settlement.service.js';
import { Refund } from './refund.entity.js';
import { RefundRecoveryService } from './refund-recovery.service.js';
import { RefundsService } from './refunds.service.js';
import { StripeRefundReader } from './stripe-refund-reader.js';
import { PaymentReader } from './payment-reader.js';
import { StrandedCheckoutSweeper } from './stranded-checkout.sweeper.js';

/** Orders, checkout, the payment webhooks, refunds and disputes. Exports DisputesService (hasOpenDispute) and OrdersRepository. */
@Module({})
export class PaymentsModule {
  static register(config: PaymentsConfig): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [TypeOrmModule.forFeature([Order, OrderLine, OrderSeller, Refund, Dispute]), LedgerModule, ListingsModule],
      controllers: [OrdersController],
      providers: [
        { provide: PaymentsConfig, useValue: config },
        OrdersRepository,
        OrdersService,
        CartPricingService,
        CheckoutService,
        OrderPaymentsService,
        PaymentSucceededHandler,
        PaymentNotMadeHandler,
        RefundSettlementService,
        StripeRefundReader,
        PaymentReader,
        StrandedCheckoutSweeper,
        RefundsService,
        RefundRecoveryService,
        RefundFailureReturnService,
        RefundReturnReversalService,
        PaymentsFundsAvailableHandler,
        RefundEventsHandler,
        DisputesService,
        DisputeRecoveryService,
        PaymentsWorker,
        DisputeEventsHandler,
      ],
      exports: [DisputesService, OrdersRepository],
    };
  }
}
