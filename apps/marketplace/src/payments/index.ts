// The payments module's public surface for other modules (transfers, payouts, reconciliation).
export { DisputesService } from './disputes.service.js';
export { ORDER_STATUSES, ORDER_TRANSITIONS, type OrderStatus } from './order-status.js';
export { OrdersRepository } from './orders.repository.js';
export { PaymentsModule } from './payments.module.js';
