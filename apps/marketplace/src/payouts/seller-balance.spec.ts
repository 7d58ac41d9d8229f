import type { PayoutRequest } from './payout-request.entity.js';
import { payoutsSentence } from './seller-balance.service.js';

const base = {
  currency: 'USD',
  stripe: { available: 0n, pending: 0n },
  ledger: { available: 0n, pending: 0n },
  matches: true,
  held: [],
  heldTotal: 0n,
  open: null,
  minimum: 1_000n,
};

describe('payoutsSentence', () => {
  it('says why a payout does or does not happen', () => {
    expect(payoutsSentence({ ...base, stripe: { available: 400n, pending: 0n }, ledger: { available: 400n, pending: 0n } })).toBe('Below the minimum payout of USD 10.00: USD 4.00 is available');
    expect(payoutsSentence({ ...base, stripe: { available: 0n, pending: 250n }, ledger: { available: 0n, pending: 250n } })).toBe(
      'Nothing is available to pay out; USD 2.50 is pending and becomes available later',
    );
    expect(payoutsSentence({ ...base, stripe: { available: 5_000n, pending: 0n }, ledger: { available: 5_100n, pending: 0n }, matches: false })).toBe(
      'Payouts wait: Stripe reports USD 50.00 available and the ledger USD 51.00; no payout is made until they agree',
    );
    expect(payoutsSentence({ ...base, stripe: { available: 5_000n, pending: 0n }, ledger: { available: 5_000n, pending: 0n } })).toBe(
      'USD 50.00 can be paid out: request a payout, or the scheduled job requests it',
    );
    const open = { amount: 5_000n, status: 'pending_review', statusReason: null } as PayoutRequest;
    expect(payoutsSentence({ ...base, open })).toBe('A payout of USD 50.00 is in review');
    const held = [{ transferId: 't', orderId: 'o', amount: 700n, currency: 'USD', releasesAt: new Date('2026-03-05T10:00:00Z'), holdExpiresAt: null }];
    expect(payoutsSentence({ ...base, held, heldTotal: 700n })).toBe('Nothing is available to pay out; USD 7.00 is held by the platform until its release (2026-03-05 first)');
  });
});
