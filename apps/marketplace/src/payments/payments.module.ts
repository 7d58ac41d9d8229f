import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ListingsModule } from '../listings/listings.module.js';
import { CartPricingService } from './checkout/cart-pricing.service.js';
import { CheckoutPagesController } from './checkout/checkout-pages.controller.js';
import { CheckoutResultService } from './checkout/checkout-result.service.js';
import { CheckoutService } from './checkout/checkout.service.js';
import { DisputeEventsHandler } from './disputes/dispute-events.handler.js';
import { DisputeRecoveryService } from './disputes/dispute-recovery.service.js';
import { PaymentsWorker } from './payments.worker.js';
import { Dispute } from './disputes/dispute.entity.js';
import { DisputesRepository } from './disputes/disputes.repository.js';
import { DisputesService } from './disputes/disputes.service.js';
import { PaymentsFundsAvailableHandler } from './refunds/funds-available.handler.js';
import { RefundReturnReversalService } from './refunds/refund-return-reversal.service.js';
import { OrderLine } from './orders/order-line.entity.js';
import { OrderPaymentsService } from './orders/order-payments.service.js';
import { OrderSeller } from './orders/order-seller.entity.js';
import { Order } from './orders/order.entity.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersRepository } from './orders/orders.repository.js';
import { OrdersService } from './orders/orders.service.js';
import { PaymentNotMadeHandler, PaymentSucceededHandler } from './orders/payment-events.handler.js';
import { PaymentsConfig } from './payments.config.js';
import { RefundEventsHandler } from './refunds/refund-events.handler.js';
import { RefundFailureReturnService } from './refunds/refund-failure-return.service.js';
import { RefundSettlementService } from './refunds/refund-settlement.service.js';
import { Refund } from './refunds/refund.entity.js';
import { RefundRecoveryService } from './refunds/refund-recovery.service.js';
import { RefundsRepository } from './refunds/refunds.repository.js';
import { RefundsService } from './refunds/refunds.service.js';
import { StripeRefundReader } from './refunds/stripe-refund-reader.js';
import { PaymentReader } from './payment-reader.js';
import { StrandedCheckoutSweeper } from './checkout/stranded-checkout.sweeper.js';

/** Orders, checkout, the payment webhooks, refunds and disputes. Exports DisputesService (hasOpenDispute) and OrdersRepository. */
@Module({})
export class PaymentsModule {
  static register(config: PaymentsConfig): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [TypeOrmModule.forFeature([Order, OrderLine, OrderSeller, Refund, Dispute]), LedgerModule, ListingsModule],
      controllers: [OrdersController, CheckoutPagesController],
      providers: [
        { provide: PaymentsConfig, useValue: config },
        OrdersRepository,
        OrdersService,
        CartPricingService,
        CheckoutService,
        CheckoutResultService,
        OrderPaymentsService,
        PaymentSucceededHandler,
        PaymentNotMadeHandler,
        RefundsRepository,
        DisputesRepository,
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
