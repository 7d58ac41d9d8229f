import { DISCREPANCY_KINDS, SEVERITY, dashboardUrl, fingerprintOf } from './discrepancies.js';

describe('discrepancies', () => {
  it('one fingerprint per difference: kind, balance, currency and the Stripe id (the balance transaction first)', () => {
    const base = { kind: 'missing_in_ledger' as const, balance: 'platform', currency: 'usd', stripeObjectId: 're_1', stripeBalanceTransactionId: 'txn_1' };
    expect(fingerprintOf(base)).toBe('missing_in_ledger:platform:USD:txn_1');
    expect(fingerprintOf({ ...base, stripeBalanceTransactionId: null })).toBe('missing_in_ledger:platform:USD:re_1');
    expect(fingerprintOf({ ...base, kind: 'amount_mismatch' })).not.toBe(fingerprintOf(base));
    expect(fingerprintOf({ ...base, balance: 'acct_1' })).not.toBe(fingerprintOf(base));
  });

  it('every kind has a severity', () => {
    for (const kind of DISCREPANCY_KINDS) expect(['low', 'medium', 'high']).toContain(SEVERITY[kind]);
  });

  it("Dashboard links from Stripe's ids: test or live, under the connected account for its objects", () => {
    expect(dashboardUrl('re_1', 'platform', false)).toBe('https://dashboard.stripe.com/test/refunds/re_1');
    expect(dashboardUrl('ch_1', 'platform', true)).toBe('https://dashboard.stripe.com/payments/ch_1');
    expect(dashboardUrl('po_1', 'acct_9', false)).toBe('https://dashboard.stripe.com/acct_9/test/payouts/po_1');
    expect(dashboardUrl('txn_1', 'acct_9', false)).toBe('https://dashboard.stripe.com/acct_9/test/balance/history/txn_1');
    expect(dashboardUrl('acct_9', 'acct_9', false)).toBe('https://dashboard.stripe.com/test/connect/accounts/acct_9');
    expect(dashboardUrl('zz_1', 'platform', false)).toBeNull();
    expect(dashboardUrl(null, 'platform', false)).toBeNull();
  });
});
