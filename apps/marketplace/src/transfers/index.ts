// The transfers module's public surface for other modules (payments plans an order's transfers and lists them).
export { OrderTransfersPlanner } from './order-transfers.planner.js';
export { type HeldFunds, TransferHoldsService } from './transfer-holds.service.js';
export type { RecordedSplit, SizedSeller } from './transfer-sizing.js';
export { TRANSFER_STATUSES, TRANSFER_TRANSITIONS, type TransferStatus } from './transfer-status.js';
export { TransferResponse, toTransferResponse } from './transfers.mapper.js';
export { TransfersModule } from './transfers.module.js';
export { TransfersService } from './transfers.service.js';
export { RefundReversalsPlanner, type RefundSellerParts } from './refund-reversals.planner.js';
export { SellerDebtsService } from './seller-debts.service.js';
export { TransferReversalResponse, toTransferReversalResponse } from './seller-debts.mapper.js';
export { TransferReversal } from './transfer-reversal.entity.js';
