import { AuditEntry } from './audit/audit-entry.entity.js';
import { PayoutApproval } from './payouts/payout-approval.entity.js';
import { PayoutAttempt } from './payouts/payout-attempt.entity.js';
import { PayoutRequest } from './payouts/payout-request.entity.js';
import { PayoutRun } from './payouts/payout-run.entity.js';
import { SellerFeePolicy } from './fees/seller-fee-policy.entity.js';
import { IdempotencyKeyRecord } from './common/idempotency/idempotency-key.entity.js';
import { ApiKey } from './identity/api-key.entity.js';
import { Principal } from './identity/principal.entity.js';
import { LedgerEntry } from './ledger/ledger-entry.entity.js';
import { LedgerLine } from './ledger/ledger-line.entity.js';
import { LedgerPayoutAllocation } from './ledger/ledger-payout-allocation.entity.js';
import { Listing } from './listings/listing.entity.js';
import { SellerAccount } from './onboarding/seller-account.entity.js';
import { Dispute } from './payments/disputes/dispute.entity.js';
import { OrderLine } from './payments/orders/order-line.entity.js';
import { OrderSeller } from './payments/orders/order-seller.entity.js';
import { Order } from './payments/orders/order.entity.js';
import { Refund } from './payments/refunds/refund.entity.js';
import { SellerDebt, SellerDebtRecovery } from './transfers/seller-debt.entity.js';
import { TransferReversal } from './transfers/transfer-reversal.entity.js';
import { Transfer } from './transfers/transfer.entity.js';
import { WebhookEvent } from './webhooks/webhook-event.entity.js';

/** Every entity of the app, for the one DataSource definition (migrations/data-source.ts). */
export const ENTITIES = [
  IdempotencyKeyRecord,
  Principal,
  ApiKey,
  WebhookEvent,
  LedgerEntry,
  LedgerLine,
  LedgerPayoutAllocation,
  SellerFeePolicy,
  Listing,
  SellerAccount,
  Order,
  OrderLine,
  OrderSeller,
  Refund,
  Dispute,
  Transfer,
  TransferReversal,
  SellerDebt,
  SellerDebtRecovery,
  PayoutRun,
  PayoutRequest,
  PayoutApproval,
  PayoutAttempt,
  AuditEntry,
];
