// The ledger's public surface for other modules (import LedgerModule in yours, then inject LedgerService).
export * from './chart-of-accounts.js';
export * from './ledger-lines.js';
export * from './ledger-recipes.js';
export { LedgerModule } from './ledger.module.js';
export { LedgerService, type NewLedgerEntry, type PostedEntry } from './ledger.service.js';
export { BalanceCheckService, type BalanceCheckReport, type BalanceComparison } from './balance-check.service.js';
export { PayoutAllocations, type PayoutToAllocate } from './payout-allocations.service.js';
export { LedgerPayoutAllocation } from './ledger-payout-allocation.entity.js';
