import { StripeApiError, redactKey } from '../http/errors.js';

// Restricted API keys (rk_test_...): "you select which Stripe resources the key can access and the
// permissions for each resource: Read, Write, or None". A platform's key has a second column,
// Connect: what the key may do on connected accounts (requests with Stripe-Account). A request the
// key lacks the permission for is refused with 403 invalid_request_error, naming the permission
// that "would allow this request to continue" (Stripe's own wording), and nothing happens.

export type PermissionLevel = 'none' | 'read' | 'write';

/** A resource group of the Dashboard's restricted-key form: its Dashboard name and Stripe's permission slug stem. */
export interface PermissionResource {
  dashboard: string;
  slug: string;
}

export const PERMISSION_RESOURCES = {
  balance: { dashboard: 'Balance', slug: 'balance' },
  balance_transaction_sources: { dashboard: 'Balance transaction sources', slug: 'balance_transaction_source' },
  balance_settings: { dashboard: 'Balance settings', slug: 'balance_settings' },
  charges: { dashboard: 'Charges', slug: 'charge' },
  refunds: { dashboard: 'Refunds', slug: 'refund' },
  disputes: { dashboard: 'Disputes', slug: 'dispute' },
  payment_intents: { dashboard: 'PaymentIntents', slug: 'payment_intent' },
  checkout_sessions: { dashboard: 'Checkout Sessions', slug: 'checkout_session' },
  events: { dashboard: 'Events', slug: 'event' },
  payouts: { dashboard: 'Payouts', slug: 'payout' },
  transfers: { dashboard: 'Transfers', slug: 'transfer' },
  application_fees: { dashboard: 'Application Fees', slug: 'application_fee' },
  accounts: { dashboard: 'Accounts', slug: 'connected_account' },
  account_links: { dashboard: 'Account Links', slug: 'account_link' },
  webhook_endpoints: { dashboard: 'Webhook Endpoints', slug: 'webhook' },
  event_destinations: { dashboard: 'Event Destinations', slug: 'event_destination' },
} as const satisfies Record<string, PermissionResource>;

export type PermissionName = keyof typeof PERMISSION_RESOURCES;
export type PermissionMap = Partial<Record<PermissionName, PermissionLevel>>;

export interface RestrictedKeyRecord {
  /** the secret key whose platform this key acts for */
  secretKey: string;
  platform: string;
  permissions: PermissionMap;
  /** permissions on connected accounts (the Dashboard's Connect column); none unless granted */
  connect: PermissionMap;
  created: number;
}

// First path segments (after /v1 or /v2/core) to the resource whose permission they need.
const SEGMENT_RESOURCE: Record<string, PermissionName> = {
  balance: 'balance',
  balance_transactions: 'balance',
  balance_settings: 'balance_settings',
  charges: 'charges',
  refunds: 'refunds',
  disputes: 'disputes',
  payment_intents: 'payment_intents',
  checkout: 'checkout_sessions',
  events: 'events',
  payouts: 'payouts',
  transfers: 'transfers',
  application_fees: 'application_fees',
  account: 'accounts',
  accounts: 'accounts',
  account_links: 'account_links',
  webhook_endpoints: 'webhook_endpoints',
  event_destinations: 'event_destinations',
};

/** The permission a request needs: its resource and read (GET) or write (anything else); null when no resource is known. */
export function requiredPermission(method: string, path: string): { resource: PermissionName; level: 'read' | 'write' } | null {
  const parts = path.split('/').filter(Boolean);
  const segment = parts[0] === 'v2' ? parts[2] : parts[1];
  const resource = segment ? SEGMENT_RESOURCE[segment] : undefined;
  if (!resource) return null;
  return { resource, level: method === 'GET' ? 'read' : 'write' };
}

export function isPermissionLevel(v: unknown): v is PermissionLevel {
  return v === 'none' || v === 'read' || v === 'write';
}

export function isPermissionName(v: string): v is PermissionName {
  return Object.hasOwn(PERMISSION_RESOURCES, v);
}

// The resource whose read permission an expanded object needs, by its `object`.
const OBJECT_RESOURCE: Record<string, PermissionName> = {
  balance_transaction: 'balance',
  charge: 'charges',
  refund: 'refunds',
  dispute: 'disputes',
  payment_intent: 'payment_intents',
  'checkout.session': 'checkout_sessions',
  event: 'events',
  payout: 'payouts',
  transfer: 'transfers',
  transfer_reversal: 'transfers',
  application_fee: 'application_fees',
  fee_refund: 'application_fees',
  account: 'accounts',
  webhook_endpoint: 'webhook_endpoints',
};

/** Refuses the request (403) unless the key holds the permission: write covers read. */
export function assertPermitted(key: string, record: RestrictedKeyRecord, method: string, path: string, account: string, connected: boolean): void {
  const needed = requiredPermission(method, path);
  // no resource of ours: the router answers it (404 for an unknown URL)
  if (!needed) return;
  assertHeld(key, record, needed.resource, needed.level, account, connected);
}

/**
 * Refuses an `expand[]` that brings in an object the key cannot read: its resource's read
 * permission, and for a balance transaction's `source`, Balance transaction sources.
 */
export function assertMayExpand(
  key: string,
  record: RestrictedKeyRecord,
  found: { id: string; object?: unknown },
  holder: Record<string, unknown>,
  field: string,
  account: string,
  connected: boolean,
): void {
  const resource = holder.object === 'balance_transaction' && field === 'source' ? 'balance_transaction_sources' : OBJECT_RESOURCE[String(found.object)];
  if (resource) assertHeld(key, record, resource, 'read', account, connected);
}

function assertHeld(key: string, record: RestrictedKeyRecord, resource: PermissionName, level: 'read' | 'write', account: string, connected: boolean): void {
  const held = (connected ? record.connect : record.permissions)[resource];
  if (held === 'write' || (held === 'read' && level === 'read')) return;
  const permission = `rak_${PERMISSION_RESOURCES[resource].slug}_${level}`;
  throw new StripeApiError(
    403,
    {
      type: 'invalid_request_error',
      message: `The provided key '${redactKey(key)}' does not have the required permissions for this endpoint on account '${account}'. Having the '${permission}' permission would allow this request to continue.`,
    },
    false,
  );
}
