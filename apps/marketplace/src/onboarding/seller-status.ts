import type { AccountRequirements, AccountSnapshot, AccountsApi, AccountV2Snapshot, CapabilityStatus, V2Capability } from '@app/stripe';

export const SELLER_STATUSES = ['pending', 'restricted', 'active', 'rejected', 'disconnected'] as const;
export type SellerStatus = (typeof SELLER_STATUSES)[number];

/** What we keep of an account, whichever API shows it: the fields GET /sellers/me answers. */
export interface AccountView {
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  capabilities: { cardPayments: CapabilityStatus | null; transfers: CapabilityStatus | null };
  requirements: AccountRequirements;
  /** Accounts v2: the account was closed (it can no longer be used). */
  closed: boolean;
}

/**
 * An account in the fields both APIs answer. A v1 account says them itself. A v2 account says them
 * through its configurations and requirements:
 * - transfers: the recipient's stripe_balance.stripe_transfers; cardPayments: the merchant's
 *   card_payments (null without a merchant configuration: not requested);
 * - chargesEnabled: it can be a charge's destination (merchant: card_payments active; recipient:
 *   stripe_transfers active); payoutsEnabled: a stripe_balance.payouts capability is active;
 * - requirements: the seller's entries by their minimum deadline (eventually_due lists every entry,
 *   as v1's does), those awaiting Stripe as pending verification, the summary's deadline; the disabled
 *   reason from a needed capability's status details (requirements_past_due -> requirements.past_due);
 * - detailsSubmitted: no entry awaits the user now (currently or past due).
 */
export function toAccountView(account: AccountSnapshot): AccountView {
  if (account.api !== 'v2') return { ...account, closed: false };
  const entries = account.requirements.entries;
  // what the seller must provide; an entry awaiting Stripe is pending verification, not due
  const due = (status: string) => entries.filter((e) => e.awaitingActionFrom === 'user' && e.deadlineStatus === status).map((e) => e.description);
  const merchant = account.merchant?.applied ? account.merchant : null;
  const recipient = account.recipient?.applied ? account.recipient : null;
  const transfers = recipient?.stripeTransfers?.status ?? null;
  const cardPayments = merchant?.cardPayments?.status ?? null;
  const payouts = [recipient?.payouts, merchant?.payouts].filter((c): c is V2Capability => Boolean(c));
  return {
    chargesEnabled: merchant ? cardPayments === 'active' : transfers === 'active',
    payoutsEnabled: payouts.some((c) => c.status === 'active'),
    detailsSubmitted: !entries.some((e) => e.awaitingActionFrom === 'user' && (e.deadlineStatus === 'currently_due' || e.deadlineStatus === 'past_due')),
    capabilities: { cardPayments, transfers },
    requirements: {
      currentlyDue: due('currently_due'),
      eventuallyDue: entries.map((e) => e.description),
      pastDue: due('past_due'),
      pendingVerification: entries.filter((e) => e.awaitingActionFrom === 'stripe').map((e) => e.description),
      currentDeadline: account.requirements.minimumDeadline,
      disabledReason: v2DisabledReason(neededCapabilities(account)),
    },
    closed: account.closed,
  };
}

/** The capabilities a v2 seller needs: what its applied configurations requested. */
function neededCapabilities(a: AccountV2Snapshot): V2Capability[] {
  const m = a.merchant?.applied ? a.merchant : null;
  const r = a.recipient?.applied ? a.recipient : null;
  return [m?.cardPayments, r?.stripeTransfers, r?.payouts ?? m?.payouts].filter((c): c is V2Capability => Boolean(c));
}

// v2 says why in status_details codes; v1's disabled_reason reads requirements.past_due, rejected.fraud
function v2DisabledReason(capabilities: V2Capability[]): string | null {
  const blocked =
    capabilities.find((c) => c.status === 'rejected') ??
    capabilities.find((c) => c.status === 'restricted' || c.status === 'unsupported') ??
    capabilities.find((c) => c.status === 'pending' && c.reasons.includes('requirements_pending_verification'));
  const code = blocked?.reasons[0] ?? (blocked ? blocked.status : null);
  if (!code) return null;
  if (blocked?.status === 'rejected' && !code.startsWith('rejected_')) return `rejected.${code}`;
  return code.replace(/^(requirements|rejected)_/, '$1.').replace(/^restricted_other$/, 'other');
}

/**
 * Where a seller stands, from what Stripe says about their account (either API):
 * - disconnected: the account deauthorized the platform, or (v2) was closed (terminal);
 * - rejected: Stripe (or we) rejected it (`disabled_reason` rejected.*);
 * - pending: onboarding details not submitted yet;
 * - restricted: something is due (currently_due / past_due) or the account is disabled, or it
 *   is not fully enabled yet (e.g. verification still pending);
 * - active: charges and payouts enabled, and the capabilities it needs active (v1: card_payments
 *   and transfers; v2: what its configurations requested).
 */
export function toSellerStatus(account: AccountSnapshot, deauthorized: boolean): SellerStatus {
  const view = toAccountView(account);
  if (deauthorized || view.closed) return 'disconnected';
  const { disabledReason, currentlyDue, pastDue } = view.requirements;
  if (disabledReason?.startsWith('rejected.')) return 'rejected';
  if (!view.detailsSubmitted) return 'pending';
  if (currentlyDue.length > 0 || pastDue.length > 0 || disabledReason) return 'restricted';
  const { cardPayments, transfers } = view.capabilities;
  const cardsOk = account.api === 'v2' ? cardPayments === null || cardPayments === 'active' : cardPayments === 'active';
  if (view.chargesEnabled && view.payoutsEnabled && cardsOk && transfers === 'active') return 'active';
  return 'restricted';
}

/** What the payment gate looks at (a stored seller account, or none). */
export interface GateView {
  stripeAccountId: string | null;
  /** v2 accounts need card_payments only with a merchant configuration (null: not requested, not needed). */
  accountsApi: AccountsApi;
  status: SellerStatus;
  detailsSubmitted: boolean;
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  capabilities: { cardPayments: CapabilityStatus | null; transfers: CapabilityStatus | null };
  currentlyDue: string[];
  pastDue: string[];
  disabledReason: string | null;
}

export type GatePurpose = 'payments' | 'payouts';

/**
 * Everything that stops a seller from being charged for (`payments`) or paid out (`payouts`), in
 * words a person can act on. Empty means the seller may.
 */
export function gateProblems(view: GateView | null, purpose: GatePurpose): string[] {
  if (!view?.stripeAccountId) return ['no connected account: the seller has not created one yet'];
  if (view.status === 'disconnected') return ['the connected account disconnected from the platform'];
  const out: string[] = [];
  if (view.disabledReason) out.push(`account disabled by Stripe: ${view.disabledReason}`);
  if (view.status === 'rejected') return out;
  if (!view.detailsSubmitted) out.push('onboarding details not submitted');
  if (view.currentlyDue.length) out.push(`currently due: ${view.currentlyDue.join(', ')}`);
  if (view.pastDue.length) out.push(`past due: ${view.pastDue.join(', ')}`);
  if (view.capabilities.cardPayments !== 'active' && !(view.accountsApi === 'v2' && view.capabilities.cardPayments === null))
    out.push(`card_payments capability is ${view.capabilities.cardPayments ?? 'not requested'}`);
  if (view.capabilities.transfers !== 'active') out.push(`transfers capability is ${view.capabilities.transfers ?? 'not requested'}`);
  if (purpose === 'payments' && !view.chargesEnabled) out.push('charges are not enabled');
  if (!view.payoutsEnabled) out.push('payouts are not enabled');
  // the status is the summary everyone sees: never let the gate be looser than it
  if (out.length === 0 && view.status !== 'active') out.push(`seller status is ${view.status}`);
  return out;
}
