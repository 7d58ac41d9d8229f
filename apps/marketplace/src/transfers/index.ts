// The transfers module's public surface for other modules (payments plans an order's transfers and lists them).
export { OrderTransfersPlanner } from './order-transfers.planner.js';
export type { RecordedSplit, SizedSeller } from './transfer-sizing.js';
export { TRANSFER_STATUSES, TRANSFER_TRANSITIONS, type TransferStatus } from './transfer-status.js';
export { TransferResponse, toTransferResponse } from './transfers.mapper.js';
export { TransfersModule } from './transfers.module.js';
export { TransfersService } from './transfers.service.js';
