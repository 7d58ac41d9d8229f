// Our own shapes of what Stripe returns. Modules see these, never Stripe's types.

export type CapabilityStatus = 'active' | 'inactive' | 'pending' | 'unrequested' | 'disabled';

export interface AccountRequirements {
  currentlyDue: string[];
  eventuallyDue: string[];
  pastDue: string[];
  pendingVerification: string[];
  currentDeadline: Date | null;
  disabledReason: string | null;
}

export interface ConnectedAccountSnapshot {
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
}

export interface AccountLink {
  url: string;
  expiresAt: Date;
}
