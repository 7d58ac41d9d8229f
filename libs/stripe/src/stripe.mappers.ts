import type Stripe from 'stripe';
import type {
  AccountV2Snapshot,
  BalanceSettingsSnapshot,
  ThinEventSnapshot,
  V2Capability,
  V2CapabilityStatus,
  V2RequirementEntry,
  ApplicationFeeSnapshot,
  BalanceSnapshot,
  BalanceTransactionSnapshot,
  ListedBalanceTransaction,
  FeeRefundSnapshot,
  PayoutSnapshot,
  CapabilityStatus,
  ChargeSnapshot,
  CheckoutSessionSnapshot,
  CheckoutSessionStatus,
  ConnectedAccountSnapshot,
  DisputeSnapshot,
  PaymentIntentSnapshot,
  RefundSnapshot,
  StripeEventEnvelope,
  TransferReversalSnapshot,
  TransferSnapshot,
} from './stripe.types.js';

const date = (unixSeconds: number) => new Date(unixSeconds * 1000);

function capability(value: Stripe.Account.Capabilities[keyof Stripe.Account.Capabilities] | undefined): CapabilityStatus | null {
  return (value as CapabilityStatus | undefined) ?? null;
}

export function toConnectedAccountSnapshot(a: Stripe.Account): ConnectedAccountSnapshot {
  const r = a.requirements;
  return {
    id: a.id,
    email: a.email ?? null,
    country: a.country ?? null,
    chargesEnabled: Boolean(a.charges_enabled),
    payoutsEnabled: Boolean(a.payouts_enabled),
    detailsSubmitted: Boolean(a.details_submitted),
    capabilities: { cardPayments: capability(a.capabilities?.card_payments), transfers: capability(a.capabilities?.transfers) },
    requirements: {
      currentlyDue: r?.currently_due ?? [],
      eventuallyDue: r?.eventually_due ?? [],
      pastDue: r?.past_due ?? [],
      pendingVerification: r?.pending_verification ?? [],
      currentDeadline: r?.current_deadline ? date(r.current_deadline) : null,
      disabledReason: r?.disabled_reason ?? null,
    },
    metadata: { ...(a.metadata ?? {}) },
    created: date(a.created ?? 0),
  };
}

export function toTransferSnapshot(t: Stripe.Transfer): TransferSnapshot {
  return {
    id: t.id,
    amount: BigInt(t.amount),
    currency: t.currency.toUpperCase(),
    destination: typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? ''),
    transferGroup: t.transfer_group ?? null,
    sourceTransaction: typeof t.source_transaction === 'string' ? t.source_transaction : (t.source_transaction?.id ?? null),
    amountReversed: BigInt(t.amount_reversed),
    reversed: t.reversed,
    metadata: { ...t.metadata },
    created: date(t.created),
    balanceTransaction: expandedTxn(t.balance_transaction),
    destinationPaymentId: idOf(t.destination_payment),
  };
}

/** `rawJson`: the delivery's body, already parsed into `e` (no second copy needed). */
export function toEventEnvelope(e: Stripe.Event, rawJson?: string): StripeEventEnvelope {
  const object = e.data?.object as { id?: unknown } | undefined;
  return {
    id: e.id,
    type: e.type,
    account: e.account ?? null,
    livemode: e.livemode,
    created: date(e.created),
    apiVersion: e.api_version ?? null,
    objectId: typeof object?.id === 'string' ? object.id : null,
    payload: rawJson ? (e as unknown as Record<string, unknown>) : (JSON.parse(JSON.stringify(e)) as Record<string, unknown>),
    ...(rawJson ? { rawJson } : {}),
  };
}

/** The id of a field Stripe returns either as an id or (expanded) as the object. */
function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

const upper = (currency: string | null | undefined) => (currency ? currency.toUpperCase() : null);

export function toCheckoutSessionSnapshot(s: Stripe.Checkout.Session): CheckoutSessionSnapshot {
  return {
    id: s.id,
    url: s.url ?? null,
    status: (s.status as CheckoutSessionStatus | null) ?? null,
    paymentStatus: s.payment_status,
    paymentIntentId: idOf(s.payment_intent),
    amountTotal: s.amount_total === null || s.amount_total === undefined ? null : BigInt(s.amount_total),
    currency: upper(s.currency),
    metadata: { ...(s.metadata ?? {}) },
    expiresAt: date(s.expires_at),
  };
}

export function toPaymentIntentSnapshot(pi: Stripe.PaymentIntent): PaymentIntentSnapshot {
  const e = pi.last_payment_error;
  return {
    id: pi.id,
    status: pi.status,
    amount: BigInt(pi.amount),
    amountReceived: BigInt(pi.amount_received ?? 0),
    currency: pi.currency.toUpperCase(),
    metadata: { ...(pi.metadata ?? {}) },
    transferGroup: pi.transfer_group ?? null,
    latestChargeId: idOf(pi.latest_charge),
    lastPaymentError: e ? { code: e.code ?? null, declineCode: e.decline_code ?? null, message: e.message ?? null } : null,
  };
}

export function toBalanceTransactionSnapshot(t: Stripe.BalanceTransaction): BalanceTransactionSnapshot {
  return {
    id: t.id,
    amount: BigInt(t.amount),
    fee: BigInt(t.fee),
    net: BigInt(t.net),
    currency: t.currency.toUpperCase(),
    exchangeRate: t.exchange_rate === null || t.exchange_rate === undefined ? null : String(t.exchange_rate),
    availableOn: date(t.available_on),
    status: t.status,
    type: t.type,
  };
}

export function toListedBalanceTransaction(t: Stripe.BalanceTransaction): ListedBalanceTransaction {
  return {
    ...toBalanceTransactionSnapshot(t),
    source: idOf(t.source),
    created: date(t.created),
    reportingCategory: t.reporting_category,
    description: t.description ?? null,
    applicationFee: (t.fee_details ?? []).filter((d) => d.type === 'application_fee').reduce((sum, d) => sum + BigInt(d.amount), 0n),
  };
}

/** An expandable balance_transaction field: the snapshot when Stripe expanded it, else null. */
export function expandedTxn(value: string | Stripe.BalanceTransaction | null | undefined): BalanceTransactionSnapshot | null {
  return value && typeof value !== 'string' ? toBalanceTransactionSnapshot(value) : null;
}

export function toBalanceSnapshot(b: Stripe.Balance): BalanceSnapshot {
  const side = (list: Array<{ amount: number; currency: string }>) => list.map((x) => ({ currency: x.currency.toUpperCase(), amount: BigInt(x.amount) }));
  return { available: side(b.available), pending: side(b.pending) };
}

export function toApplicationFeeSnapshot(f: Stripe.ApplicationFee): ApplicationFeeSnapshot {
  return {
    id: f.id,
    amount: BigInt(f.amount),
    amountRefunded: BigInt(f.amount_refunded),
    currency: f.currency.toUpperCase(),
    account: typeof f.account === 'string' ? f.account : f.account.id,
    balanceTransaction: expandedTxn(f.balance_transaction),
  };
}

export function toFeeRefundSnapshot(r: Stripe.FeeRefund): FeeRefundSnapshot {
  return {
    id: r.id,
    feeId: typeof r.fee === 'string' ? r.fee : r.fee.id,
    amount: BigInt(r.amount),
    currency: r.currency.toUpperCase(),
    balanceTransaction: expandedTxn(r.balance_transaction),
    created: date(r.created),
  };
}

export function toPayoutSnapshot(p: Stripe.Payout): PayoutSnapshot {
  return {
    id: p.id,
    amount: BigInt(p.amount),
    currency: p.currency.toUpperCase(),
    status: p.status,
    automatic: p.automatic,
    failureCode: p.failure_code ?? null,
    failureMessage: p.failure_message ?? null,
    arrivalDate: p.arrival_date ? date(p.arrival_date) : null,
    metadata: { ...(p.metadata ?? {}) },
    balanceTransaction: expandedTxn(p.balance_transaction),
    failureBalanceTransaction: expandedTxn(p.failure_balance_transaction),
    created: date(p.created),
    reconciliationStatus: p.reconciliation_status,
  };
}

export function toChargeSnapshot(c: Stripe.Charge): ChargeSnapshot {
  const fee = c.application_fee && typeof c.application_fee !== 'string' ? c.application_fee : null;
  const txn = c.balance_transaction && typeof c.balance_transaction !== 'string' ? c.balance_transaction : null;
  return {
    id: c.id,
    status: c.status,
    amount: BigInt(c.amount),
    amountRefunded: BigInt(c.amount_refunded),
    currency: c.currency.toUpperCase(),
    paymentIntentId: idOf(c.payment_intent),
    metadata: { ...(c.metadata ?? {}) },
    transferGroup: c.transfer_group ?? null,
    transferId: idOf(c.transfer as string | { id: string } | null | undefined),
    destination: idOf(c.transfer_data?.destination as string | { id: string } | null | undefined),
    applicationFeeId: idOf(c.application_fee),
    applicationFeeAmount: c.application_fee_amount === null || c.application_fee_amount === undefined ? null : BigInt(c.application_fee_amount),
    applicationFeeRefunded: fee ? BigInt(fee.amount_refunded) : null,
    disputed: Boolean(c.disputed),
    balanceTransaction: txn ? toBalanceTransactionSnapshot(txn) : null,
    transfer: c.transfer && typeof c.transfer !== 'string' ? toTransferSnapshot(c.transfer) : null,
    applicationFee: fee ? toApplicationFeeSnapshot(fee) : null,
    created: date(c.created),
  };
}

export function toRefundSnapshot(r: Stripe.Refund): RefundSnapshot {
  const reversal = r.transfer_reversal && typeof r.transfer_reversal !== 'string' ? r.transfer_reversal : null;
  return {
    id: r.id,
    chargeId: idOf(r.charge),
    amount: BigInt(r.amount),
    currency: r.currency.toUpperCase(),
    status: r.status ?? 'pending',
    reason: r.reason ?? null,
    metadata: { ...(r.metadata ?? {}) },
    transferReversalId: idOf(r.transfer_reversal),
    transferReversalAmount: reversal ? BigInt(reversal.amount) : null,
    failureReason: r.failure_reason ?? null,
    created: date(r.created),
    balanceTransaction: expandedTxn(r.balance_transaction),
    transferReversal: reversal ? toTransferReversalSnapshot(reversal) : null,
    failureBalanceTransaction: expandedTxn(r.failure_balance_transaction),
  };
}

export function toTransferReversalSnapshot(r: Stripe.TransferReversal): TransferReversalSnapshot {
  return {
    id: r.id,
    transferId: idOf(r.transfer) ?? '',
    amount: BigInt(r.amount),
    currency: r.currency.toUpperCase(),
    metadata: { ...(r.metadata ?? {}) },
    balanceTransaction: expandedTxn(r.balance_transaction),
    destinationPaymentRefundId: idOf(r.destination_payment_refund),
    sourceRefundId: idOf(r.source_refund),
    created: date(r.created),
  };
}

export function toDisputeSnapshot(d: Stripe.Dispute): DisputeSnapshot {
  const txns = d.balance_transactions ?? [];
  const withdrawal = txns.find((t) => t.amount < 0);
  const feeReturned = txns.filter((t) => t.fee < 0).reduce((sum, t) => sum - BigInt(t.fee), 0n);
  return {
    id: d.id,
    chargeId: idOf(d.charge) ?? '',
    paymentIntentId: idOf(d.payment_intent),
    amount: BigInt(d.amount),
    currency: d.currency.toUpperCase(),
    reason: d.reason,
    status: d.status,
    evidenceDueBy: d.evidence_details?.due_by ? date(d.evidence_details.due_by) : null,
    withdrawalFee: withdrawal ? BigInt(withdrawal.fee) : 0n,
    feeReturned,
    created: date(d.created),
    balanceTransactions: txns.map(toBalanceTransactionSnapshot),
  };
}

type V2Account = Stripe.V2.Core.Account;
type V2CapabilityLike = { status: string; status_details?: Array<{ code: string }> } | undefined;

function v2Capability(c: V2CapabilityLike): V2Capability | null {
  if (!c) return null;
  return { status: c.status as V2CapabilityStatus, reasons: (c.status_details ?? []).map((d) => d.code) };
}

const rfc3339 = (value: string | undefined | null) => (value ? new Date(value) : null);

/** An Accounts v2 account, read with its configurations and requirements included. */
export function toAccountV2Snapshot(a: V2Account): AccountV2Snapshot {
  const merchant = a.configuration?.merchant;
  const recipient = a.configuration?.recipient;
  const entries: V2RequirementEntry[] = (a.requirements?.entries ?? []).map((e) => ({
    description: e.description,
    awaitingActionFrom: e.awaiting_action_from,
    deadlineStatus: e.minimum_deadline.status,
    restricts: (e.impact.restricts_capabilities ?? []).map((r) => ({ configuration: r.configuration, capability: r.capability, deadlineStatus: r.deadline.status })),
  }));
  return {
    api: 'v2',
    id: a.id,
    contactEmail: a.contact_email ?? null,
    displayName: a.display_name ?? null,
    country: a.identity?.country?.toUpperCase() ?? null,
    closed: a.closed === true,
    dashboard: a.dashboard ?? null,
    merchant: merchant ? { applied: merchant.applied, cardPayments: v2Capability(merchant.capabilities?.card_payments), payouts: v2Capability(merchant.capabilities?.stripe_balance?.payouts) } : null,
    recipient: recipient
      ? {
          applied: recipient.applied,
          stripeTransfers: v2Capability(recipient.capabilities?.stripe_balance?.stripe_transfers),
          payouts: v2Capability(recipient.capabilities?.stripe_balance?.payouts),
        }
      : null,
    requirements: { entries, minimumDeadline: rfc3339(a.requirements?.summary?.minimum_deadline?.time) },
    metadata: { ...(a.metadata ?? {}) },
    created: new Date(a.created),
  };
}

export function toThinEventSnapshot(e: Stripe.V2.Core.Event): ThinEventSnapshot {
  const related = 'related_object' in e ? (e.related_object as { id?: unknown; type?: unknown } | undefined) : undefined;
  const relatedObject = related && typeof related.id === 'string' ? { id: related.id, type: String(related.type ?? '') } : null;
  // a link's return names its account in data, not as the related object
  const linkAccount = e.type === 'v2.core.account_link.returned' ? e.data.account_id : null;
  return {
    id: e.id,
    type: e.type,
    created: new Date(e.created),
    livemode: e.livemode,
    context: e.context ?? null,
    relatedObject,
    accountId: relatedObject?.type === 'v2.core.account' ? relatedObject.id : linkAccount,
  };
}

export function toBalanceSettingsSnapshot(b: Stripe.BalanceSettings): BalanceSettingsSnapshot {
  return { payoutsStatus: b.payments.payouts?.status ?? null, payoutInterval: b.payments.payouts?.schedule?.interval ?? null };
}

/**
 * A thin event (delivered, or listed by `GET /v2/core/events`) as our envelope: `account` is the
 * event's context (the connected account it happened in) or, for an event about an account
 * itself, that account; `objectId` the related object's id.
 */
export function toThinEventEnvelope(
  e: { id: string; type: string; created: string; livemode: boolean; context?: unknown; related_object?: { id?: unknown; type?: unknown } },
  rawJson?: string,
): StripeEventEnvelope {
  const related = e.related_object && typeof e.related_object.id === 'string' ? { id: e.related_object.id, type: String(e.related_object.type ?? '') } : null;
  const context = e.context ? String(e.context) : null;
  return {
    id: e.id,
    type: e.type,
    account: context ?? (related?.type === 'v2.core.account' ? related.id : null),
    livemode: e.livemode,
    created: new Date(e.created),
    apiVersion: null,
    objectId: related?.id ?? null,
    payload: rawJson ? (JSON.parse(rawJson) as Record<string, unknown>) : (JSON.parse(JSON.stringify(e)) as Record<string, unknown>),
    ...(rawJson ? { rawJson } : {}),
  };
}
