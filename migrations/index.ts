import { IdempotencyKeys1764360000000 } from './1764360000000-IdempotencyKeys.js';
import { DisputeRecoveryClaims1764363600000 } from './1764363600000-DisputeRecoveryClaims.js';
import { IdempotencyKeyClaims1764367200000 } from './1764367200000-IdempotencyKeyClaims.js';
import { RefundFailureReturns1764370800000 } from './1764370800000-RefundFailureReturns.js';
import { IdempotencyIntents1764374400000 } from './1764374400000-IdempotencyIntents.js';
import { Reconciliation1764511200000 } from './1764511200000-Reconciliation.js';
import { LedgerLinesByStripeAccount1764514800000 } from './1764514800000-LedgerLinesByStripeAccount.js';
import { PlatformPayouts1764518400000 } from './1764518400000-PlatformPayouts.js';
import { ReconciliationItemsPruned1764522000000 } from './1764522000000-ReconciliationItemsPruned.js';
import { ReconciliationActiveBalances1764525600000 } from './1764525600000-ReconciliationActiveBalances.js';
import { RateLimitCounters1764600000000 } from './1764600000000-RateLimitCounters.js';
import { PayoutApprovalKeys1764622000000 } from './1764622000000-PayoutApprovalKeys.js';
import { PayoutRetryKeys1764629400000 } from './1764629400000-PayoutRetryKeys.js';
import { Identity1764172800000 } from './1764172800000-Identity.js';
import { WebhookInbox1764259200000 } from './1764259200000-WebhookInbox.js';
import { LedgerJournal1764345600000 } from './1764345600000-LedgerJournal.js';
import { FeePolicies1764349200000 } from './1764349200000-FeePolicies.js';
import { Listings1764352800000 } from './1764352800000-Listings.js';
import { Orders1764356400000 } from './1764356400000-Orders.js';
import { SellerAccounts1764302400000 } from './1764302400000-SellerAccounts.js';
import { LedgerStripeBalances1764378000000 } from './1764378000000-LedgerStripeBalances.js';
import { IntentStripeParams1764385200000 } from './1764385200000-IntentStripeParams.js';
import { OrderRefundedAmountCheck1764388800000 } from './1764388800000-OrderRefundedAmountCheck.js';
import { RefusedKeyGenerations1764392400000 } from './1764392400000-RefusedKeyGenerations.js';
import { ReturnReversedTotal1764396000000 } from './1764396000000-ReturnReversedTotal.js';
import { RefundReturnRetries1764381600000 } from './1764381600000-RefundReturnRetries.js';
import { Transfers1764432000000 } from './1764432000000-Transfers.js';
import { TransferHolds1764435600000 } from './1764435600000-TransferHolds.js';
import { StripeRequestBudgets1764439200000 } from './1764439200000-StripeRequestBudgets.js';
import { StripeRequestBudgetBound1764442800000 } from './1764442800000-StripeRequestBudgetBound.js';
import { TransferReversals1764446400000 } from './1764446400000-TransferReversals.js';
import { TransfersToOtherAccounts1764450000000 } from './1764450000000-TransfersToOtherAccounts.js';
import { TransferSubmittedBy1764453600000 } from './1764453600000-TransferSubmittedBy.js';
import { MultiSellerRefundFailures1764457200000 } from './1764457200000-MultiSellerRefundFailures.js';
import { TransferReversalCanceledBy1764460800000 } from './1764460800000-TransferReversalCanceledBy.js';
import { LoweringsGivenBack1764464400000 } from './1764464400000-LoweringsGivenBack.js';
import { OrderChargeCreated1764466200000 } from './1764466200000-OrderChargeCreated.js';
import { AccountsV21764468000000 } from './1764468000000-AccountsV2.js';
import { AccountCreateRequest1764482400000 } from './1764482400000-AccountCreateRequest.js';
import { PayoutScheduleSetAt1764486000000 } from './1764486000000-PayoutScheduleSetAt.js';
import { PayoutRequests1764489600000 } from './1764489600000-PayoutRequests.js';
import { PayoutRequestKeys1764493200000 } from './1764493200000-PayoutRequestKeys.js';
import { LedgerPayoutAllocations1764500400000 } from './1764500400000-LedgerPayoutAllocations.js';
import { PayoutApprovalsByAdmins1764504000000 } from './1764504000000-PayoutApprovalsByAdmins.js';
import { PayoutRequestCheckedAt1764504000100 } from './1764504000100-PayoutRequestCheckedAt.js';

// Explicit list (no globs): the same classes load from dist/ at run time and from source under Jest.
// `npm run migration:generate -- <Name>` writes a new file; add its class here.
export const MIGRATIONS = [
  Identity1764172800000,
  WebhookInbox1764259200000,
  SellerAccounts1764302400000,
  LedgerJournal1764345600000,
  FeePolicies1764349200000,
  Listings1764352800000,
  Orders1764356400000,
  IdempotencyKeys1764360000000,
  DisputeRecoveryClaims1764363600000,
  IdempotencyKeyClaims1764367200000,
  RefundFailureReturns1764370800000,
  IdempotencyIntents1764374400000,
  LedgerStripeBalances1764378000000,
  RefundReturnRetries1764381600000,
  IntentStripeParams1764385200000,
  OrderRefundedAmountCheck1764388800000,
  RefusedKeyGenerations1764392400000,
  ReturnReversedTotal1764396000000,
  Transfers1764432000000,
  TransferHolds1764435600000,
  StripeRequestBudgets1764439200000,
  StripeRequestBudgetBound1764442800000,
  TransferReversals1764446400000,
  TransfersToOtherAccounts1764450000000,
  TransferSubmittedBy1764453600000,
  MultiSellerRefundFailures1764457200000,
  TransferReversalCanceledBy1764460800000,
  LoweringsGivenBack1764464400000,
  OrderChargeCreated1764466200000,
  AccountsV21764468000000,
  AccountCreateRequest1764482400000,
  PayoutScheduleSetAt1764486000000,
  PayoutRequests1764489600000,
  PayoutRequestKeys1764493200000,
  LedgerPayoutAllocations1764500400000,
  PayoutApprovalsByAdmins1764504000000,
  PayoutRequestCheckedAt1764504000100,
  Reconciliation1764511200000,
  LedgerLinesByStripeAccount1764514800000,
  PlatformPayouts1764518400000,
  ReconciliationItemsPruned1764522000000,
  ReconciliationActiveBalances1764525600000,
  RateLimitCounters1764600000000,
  PayoutApprovalKeys1764622000000,
  PayoutRetryKeys1764629400000,
];
