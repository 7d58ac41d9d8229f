import type { CapabilityStatus, ConnectedAccountSnapshot } from '@app/stripe';

export const SELLER_STATUSES = ['pending', 'restricted', 'active', 'rejected', 'disconnected'] as const;
export type SellerStatus = (typeof SELLER_STATUSES)[number];

/**
 * Where a seller stands, from what Stripe says about their account:
 * - disconnected: the account deauthorized the platform (terminal);
 * - rejected: Stripe (or we) rejected it (`disabled_reason` rejected.*);
 * - pending: onboarding details not submitted yet;
 * - restricted: something is due (currently_due / past_due) or the account is disabled, or it
 *   is not fully enabled yet (e.g. verification still pending);
 * - active: charges and payouts enabled, card_payments and transfers active.
 */
export function toSellerStatus(account: ConnectedAccountSnapshot, deauthorized: boolean): SellerStatus {
  if (deauthorized) return 'disconnected';
  const { disabledReason, currentlyDue, pastDue } = account.requirements;
  if (disabledReason?.startsWith('rejected.')) return 'rejected';
  if (!account.detailsSubmitted) return 'pending';
  if (currentlyDue.length > 0 || pastDue.length > 0 || disabledReason) return 'restricted';
  const { cardPayments, transfers } = account.capabilities;
  if (account.chargesEnabled && account.payoutsEnabled && cardPayments === 'active' && transfers === 'active') return 'active';
  return 'restricted';
}

/** What the payment gate looks at (a stored seller account, or none). */
export interface GateView {
  stripeAccountId: string | null;
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
  if (view.capabilities.cardPayments !== 'active') out.push(`card_payments capability is ${view.capabilities.cardPayments ?? 'not requested'}`);
  if (view.capabilities.transfers !== 'active') out.push(`transfers capability is ${view.capabilities.transfers ?? 'not requested'}`);
  if (purpose === 'payments' && !view.chargesEnabled) out.push('charges are not enabled');
  if (!view.payoutsEnabled) out.push('payouts are not enabled');
  // the status is the summary everyone sees: never let the gate be looser than it
  if (out.length === 0 && view.status !== 'active') out.push(`seller status is ${view.status}`);
  return out;
}
