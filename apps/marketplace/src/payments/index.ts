// The payments module's public surface for other modules (transfers, payouts, reconciliation).
export { DisputesService } from './disputes/disputes.service.js';
export { ORDER_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from './orders/order-status.js';
export { OrdersRepository } from './orders/orders.repository.js';
export { PaymentsModule } from './payments.module.js';
