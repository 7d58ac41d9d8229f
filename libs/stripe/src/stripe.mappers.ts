import type Stripe from 'stripe';
import type { CapabilityStatus, ConnectedAccountSnapshot, StripeEventEnvelope, TransferSnapshot } from './stripe.types.js';

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
  };
}

export function toEventEnvelope(e: Stripe.Event): StripeEventEnvelope {
  const object = e.data?.object as { id?: unknown } | undefined;
  return {
    id: e.id,
    type: e.type,
    account: e.account ?? null,
    livemode: e.livemode,
    created: date(e.created),
    apiVersion: e.api_version ?? null,
    objectId: typeof object?.id === 'string' ? object.id : null,
    payload: JSON.parse(JSON.stringify(e)) as Record<string, unknown>,
  };
}

/** The account object carried by an account.updated event, as our snapshot. */
export function accountSnapshotFromEvent(event: StripeEventEnvelope): ConnectedAccountSnapshot | null {
  const object = (event.payload.data as { object?: { object?: string } } | undefined)?.object;
  return object?.object === 'account' ? toConnectedAccountSnapshot(object as Stripe.Account) : null;
}
