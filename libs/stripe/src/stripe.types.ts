// Our own shapes of what Stripe returns. Modules see these, never Stripe's types.

/** A v1 capability status, or (for an Accounts v2 account) a v2 one: rejected, restricted, unsupported. */
export type CapabilityStatus = 'active' | 'inactive' | 'pending' | 'unrequested' | 'disabled' | V2CapabilityStatus;

/** Which Stripe API made (and reads) a connected account. */
export type AccountsApi = 'v1' | 'v2';

export interface AccountRequirements {
  currentlyDue: string[];
  eventuallyDue: string[];
  pastDue: string[];
  pendingVerification: string[];
  currentDeadline: Date | null;
  disabledReason: string | null;
}

/** An account as Accounts v1 (`/v1/accounts`) shows it. */
export interface ConnectedAccountSnapshot {
  api?: 'v1';
  id: string;
  email: string | null;
  country: string | null;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  capabilities: { cardPayments: CapabilityStatus | null; transfers: CapabilityStatus | null };
  requirements: AccountRequirements;
  metadata: Record<string, string>;
  created: Date;
}

export type V2CapabilityStatus = 'active' | 'pending' | 'rejected' | 'restricted' | 'unsupported';

/** One capability of an Accounts v2 configuration: its status and Stripe's reason codes when not active. */
export interface V2Capability {
  status: V2CapabilityStatus;
  /** `status_details[].code`, e.g. requirements_past_due, rejected_fraud (empty when active). */
  reasons: string[];
}

export type V2DeadlineStatus = 'currently_due' | 'eventually_due' | 'past_due';

/** One entry of a v2 account's `requirements.entries`. */
export interface V2RequirementEntry {
  description: string;
  awaitingActionFrom: 'user' | 'stripe';
  /** The entry's `minimum_deadline.status`. */
  deadlineStatus: V2DeadlineStatus;
  /** What it restricts if not provided (`impact.restricts_capabilities`). */
  restricts: Array<{ configuration: string; capability: string; deadlineStatus: V2DeadlineStatus }>;
}

/** An account as Accounts v2 (`/v2/core/accounts`) shows it, with its configurations and requirements included. */
export interface AccountV2Snapshot {
  api: 'v2';
  id: string;
  contactEmail: string | null;
  displayName: string | null;
  country: string | null;
  closed: boolean;
  dashboard: string | null;
  /** The merchant configuration (merchant of record: card_payments), if the account has one. */
  merchant: { applied: boolean; cardPayments: V2Capability | null; payouts: V2Capability | null } | null;
  /** The recipient configuration (receives transfers: stripe_balance.stripe_transfers), if any. */
  recipient: { applied: boolean; stripeTransfers: V2Capability | null; payouts: V2Capability | null } | null;
  requirements: { entries: V2RequirementEntry[]; minimumDeadline: Date | null };
  metadata: Record<string, string>;
  created: Date;
}

/** A connected account as either API shows it. */
export type AccountSnapshot = ConnectedAccountSnapshot | AccountV2Snapshot;

/** A thin event (`v2.core.event`) as `GET /v2/core/events/:id` answers. */
export interface ThinEventSnapshot {
  id: string;
  type: string;
  created: Date;
  livemode: boolean;
  /** The account the event happened in (Stripe-Context), null for the platform's own. */
  context: string | null;
  relatedObject: { id: string; type: string } | null;
  /** The connected account it is about: its related account, or (v2.core.account_link.returned) `data.account_id`. */
  accountId: string | null;
}

export type PayoutInterval = 'daily' | 'manual' | 'monthly' | 'weekly';

/** A connected account's payout settings (`/v1/balance_settings` with Stripe-Account). */
export interface BalanceSettingsSnapshot {
  payoutsStatus: string | null;
  payoutInterval: string | null;
}

export interface TransferSnapshot {
  id: string;
  amount: bigint;
  currency: string;
  destination: string;
  transferGroup: string | null;
  sourceTransaction: string | null;
  amountReversed: bigint;
  reversed: boolean;
  metadata: Record<string, string>;
  created: Date;
  /** The platform's side (expanded where the gateway asked for it), else null. */
  balanceTransaction: BalanceTransactionSnapshot | null;
  /** The py_ payment the transfer created on the destination account. */
  destinationPaymentId: string | null;
}

/** A Stripe event as it arrived (verified), with its full JSON kept for the inbox. */
export interface StripeEventEnvelope {
  id: string;
  type: string;
  /** Connected account the event belongs to (Connect events), else null. */
  account: string | null;
  livemode: boolean;
  created: Date;
  apiVersion: string | null;
  /** `data.object.id` when the object has one. */
  objectId: string | null;
  payload: Record<string, unknown>;
  /** The exact JSON text received, when the event came from a delivery (stored as is). */
  rawJson?: string;
}

export interface AccountLink {
  url: string;
  expiresAt: Date;
}

export type CheckoutSessionStatus = 'open' | 'complete' | 'expired';

export interface CheckoutSessionSnapshot {
  id: string;
  url: string | null;
  status: CheckoutSessionStatus | null;
  /** 'paid' once the money moved; 'unpaid' while open or for asynchronous methods still settling. */
  paymentStatus: string;
  paymentIntentId: string | null;
  amountTotal: bigint | null;
  currency: string | null;
  metadata: Record<string, string>;
  expiresAt: Date;
}

/** One line of a Checkout Session built from our listing (price_data, no Stripe products). */
export interface CheckoutLineItem {
  name: string;
  unitAmount: bigint;
  quantity: number;
}

export interface NewCheckoutSession {
  currency: string;
  lineItems: CheckoutLineItem[];
  successUrl: string;
  cancelUrl: string;
  /** Goes on the session and on its payment intent. */
  metadata: Record<string, string>;
  transferGroup: string;
  /** Destination charge: the seller's account and the platform's fee. Absent for multi-seller carts. */
  destination?: { account: string; applicationFeeAmount: bigint; onBehalfOf: boolean };
}

export interface PaymentError {
  code: string | null;
  declineCode: string | null;
  message: string | null;
}

export interface PaymentIntentSnapshot {
  id: string;
  status: string;
  amount: bigint;
  amountReceived: bigint;
  currency: string;
  metadata: Record<string, string>;
  transferGroup: string | null;
  latestChargeId: string | null;
  lastPaymentError: PaymentError | null;
}

export interface BalanceTransactionSnapshot {
  id: string;
  amount: bigint;
  /** Stripe's fees on it (processing fee of a charge, dispute fee of a withdrawal). */
  fee: bigint;
  net: bigint;
  /** The settlement currency the balance moved in (may differ from the charge's). */
  currency: string;
  /** Presentment to settlement rate when the currencies differ (Stripe's decimal, as text), else null. */
  exchangeRate: string | null;
  availableOn: Date;
  /** 'available' once Stripe counts it in the available balance, else 'pending'. */
  status: string;
  type: string;
}

/** A balance transaction as Stripe lists it: what moved, and which object moved it. */
export interface ListedBalanceTransaction extends BalanceTransactionSnapshot {
  /** The object that made it (ch_, py_, re_, tr_, po_, fee_, fr_, du_...), null for Stripe's own (an adjustment without source). */
  source: string | null;
  created: Date;
  reportingCategory: string;
  description: string | null;
  /** The part of `fee` that is an application fee (a connected account's payment of a destination charge): the platform's revenue, not Stripe's fee. */
  applicationFee: bigint;
}

/** One page of a Stripe list, newest first, and the id a resumed read starts after. */
export interface ListPage<T> {
  data: T[];
  hasMore: boolean;
  /** The last id of this page (null on an empty first page): pass it as `startingAfter` to read on. */
  last: string | null;
}

/** `created` of a list: [gte, lt), Unix seconds at Stripe. */
export interface CreatedRange {
  gte: Date;
  lt: Date;
}

/** One side of `GET /v1/balance`: minor units per (upper-case) currency. */
export interface BalanceSnapshot {
  available: Array<{ currency: string; amount: bigint }>;
  pending: Array<{ currency: string; amount: bigint }>;
}

/** An application fee with its balance transaction (the platform's side). */
export interface ApplicationFeeSnapshot {
  id: string;
  amount: bigint;
  amountRefunded: bigint;
  currency: string;
  /** The connected account the fee was taken from. */
  account: string;
  balanceTransaction: BalanceTransactionSnapshot | null;
}

export interface FeeRefundSnapshot {
  id: string;
  feeId: string;
  amount: bigint;
  currency: string;
  balanceTransaction: BalanceTransactionSnapshot | null;
  created: Date;
}

/** A payout from a connected account's balance (or the platform's). */
export interface PayoutSnapshot {
  id: string;
  amount: bigint;
  currency: string;
  status: string;
  automatic: boolean;
  failureCode: string | null;
  failureMessage: string | null;
  /** When Stripe expects the payout in the bank account. */
  arrivalDate: Date | null;
  metadata: Record<string, string>;
  balanceTransaction: BalanceTransactionSnapshot | null;
  failureBalanceTransaction: BalanceTransactionSnapshot | null;
  created: Date;
  /** Automatic payouts: `in_progress` until Stripe knows what it contained, then `completed`; manual ones `not_applicable`. */
  reconciliationStatus: string;
}

export interface ChargeSnapshot {
  id: string;
  status: string;
  amount: bigint;
  amountRefunded: bigint;
  currency: string;
  paymentIntentId: string | null;
  metadata: Record<string, string>;
  transferGroup: string | null;
  /** The transfer to the destination of a destination charge. */
  transferId: string | null;
  destination: string | null;
  applicationFeeId: string | null;
  applicationFeeAmount: bigint | null;
  /** Refunded part of the application fee (when Stripe expanded it), else null. */
  applicationFeeRefunded: bigint | null;
  disputed: boolean;
  /** Expanded: Stripe's processing fee is `balanceTransaction.fee`. Null until captured. */
  balanceTransaction: BalanceTransactionSnapshot | null;
  /** The destination charge's transfer with its balance transaction (retrieveCharge expands it). */
  transfer: TransferSnapshot | null;
  /** The application fee with its balance transaction (retrieveCharge expands it). */
  applicationFee: ApplicationFeeSnapshot | null;
  /** When Stripe created the charge (`created`). */
  created: Date;
}

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer';

export interface RefundSnapshot {
  id: string;
  chargeId: string | null;
  amount: bigint;
  currency: string;
  status: string;
  reason: string | null;
  metadata: Record<string, string>;
  transferReversalId: string | null;
  /** Amount of the transfer reversal (when expanded), else null. */
  transferReversalAmount: bigint | null;
  /** Why a failed refund failed (expired_or_canceled_card, lost_or_stolen_card, ...), else null. */
  failureReason: string | null;
  created: Date;
  /** The platform's refund balance transaction (expanded), else null. */
  balanceTransaction: BalanceTransactionSnapshot | null;
  /** The transfer reversal with its balance transaction (expanded), else null. */
  transferReversal: TransferReversalSnapshot | null;
  /** When a refund failed after it succeeded: the refund_failure balance transaction. */
  failureBalanceTransaction: BalanceTransactionSnapshot | null;
}

export interface TransferReversalSnapshot {
  id: string;
  transferId: string;
  amount: bigint;
  currency: string;
  metadata: Record<string, string>;
  /** The platform's side (expanded), else null. */
  balanceTransaction: BalanceTransactionSnapshot | null;
  /** The refund of the py_ payment on the destination account (its side of the reversal). */
  destinationPaymentRefundId: string | null;
  /** The refund that made this reversal (reverse_transfer), null for one made on its own. */
  sourceRefundId: string | null;
  created: Date;
}

export interface DisputeSnapshot {
  id: string;
  chargeId: string;
  paymentIntentId: string | null;
  amount: bigint;
  currency: string;
  reason: string;
  /** warning_needs_response, needs_response, under_review, won, lost, ... */
  status: string;
  evidenceDueBy: Date | null;
  /** Stripe's dispute fee taken with the withdrawal. */
  withdrawalFee: bigint;
  /** Dispute fees given back (a won dispute's reinstatement). */
  feeReturned: bigint;
  created: Date;
  /** Every balance transaction of the dispute (withdrawal, reinstatement), as Stripe lists them. */
  balanceTransactions: BalanceTransactionSnapshot[];
}
