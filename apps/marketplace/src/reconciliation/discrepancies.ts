// What a difference between the ledger and Stripe is, in data: kinds, severities, one fingerprint per
// difference (so a later run seeing it again updates the same item), and Dashboard links built from
// Stripe's ids. Pure: no Nest, no database.

export const DISCREPANCY_KINDS = [
  'missing_in_ledger',
  'missing_in_stripe',
  'amount_mismatch',
  'currency_mismatch',
  'status_mismatch',
  'unexpected_fee',
  'payout_contents_mismatch',
  'balance_mismatch',
  'unreadable_balance',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export type Severity = 'low' | 'medium' | 'high';

/** Money in the wrong place is high; a state that disagrees while the money agrees is medium; a fee the ledger did not expect is low. */
export const SEVERITY: Readonly<Record<DiscrepancyKind, Severity>> = {
  missing_in_ledger: 'high',
  missing_in_stripe: 'high',
  amount_mismatch: 'high',
  currency_mismatch: 'high',
  balance_mismatch: 'high',
  payout_contents_mismatch: 'high',
  unreadable_balance: 'high',
  status_mismatch: 'medium',
  unexpected_fee: 'low',
};

/** `platform` or a connected account id: which Stripe balance a difference is in. */
export type BalanceName = 'platform' | string;

/** One difference as a pass found it (before it is stored). */
export interface Finding {
  kind: DiscrepancyKind;
  balance: BalanceName;
  sellerId?: string | null;
  currency?: string | null;
  stripeObjectId?: string | null;
  stripeBalanceTransactionId?: string | null;
  stripeAmount?: bigint | null;
  ledgerAmount?: bigint | null;
  /** Our side: ledger entry ids, and the row (transfer, refund, payout attempt...) it concerns. */
  ours?: { entryIds?: string[]; row?: { type: string; id: string } };
  details?: Record<string, unknown>;
  summary: string;
  /** Which check of the subject found it, when one subject has several of the same kind (a payout's approval and its allocation). */
  aspect?: string;
}

/** The same difference found twice has the same fingerprint: kind, balance, and the Stripe id it is about. */
export function fingerprintOf(f: Pick<Finding, 'kind' | 'balance' | 'currency' | 'stripeObjectId' | 'stripeBalanceTransactionId' | 'aspect'>): string {
  const subject = f.stripeBalanceTransactionId ?? f.stripeObjectId ?? '';
  return [f.kind, f.balance, (f.currency ?? '').toUpperCase(), subject, ...(f.aspect ? [f.aspect] : [])].join(':');
}

// Dashboard pages per id prefix (a connected account's objects live under that account).
const PAGES: Array<[prefix: string, page: string]> = [
  ['txn_', 'balance/history'],
  ['ch_', 'payments'],
  ['py_', 'payments'],
  ['pi_', 'payments'],
  ['re_', 'refunds'],
  ['pyr_', 'refunds'],
  ['tr_', 'connect/transfers'],
  ['trr_', 'connect/transfers'],
  ['po_', 'payouts'],
  ['fee_', 'connect/application_fees'],
  ['fr_', 'connect/application_fees'],
  ['du_', 'disputes'],
  ['dp_', 'disputes'],
];

/** A link to the object in Stripe's Dashboard (test or live), or null for an id we cannot place. */
export function dashboardUrl(id: string | null | undefined, balance: BalanceName, livemode: boolean): string | null {
  if (!id) return null;
  const mode = livemode ? '' : 'test/';
  if (id.startsWith('acct_')) return `https://dashboard.stripe.com/${mode}connect/accounts/${id}`;
  const page = PAGES.find(([prefix]) => id.startsWith(prefix))?.[1];
  if (!page) return null;
  const account = balance === 'platform' ? '' : `${balance}/`;
  return `https://dashboard.stripe.com/${account}${mode}${page}/${id}`;
}
