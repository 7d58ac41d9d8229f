import { DomainError } from '../common/domain-error.js';
import { decidePayoutRequest, type BalanceSides } from './payout-request-decision.js';

const sides = (stripe: bigint, ledger: bigint, pending = 0n): BalanceSides => ({
  currency: 'USD',
  stripe: { available: stripe, pending },
  ledger: { available: ledger, pending },
  matches: stripe === ledger,
});
const codeOf = (d: unknown) => (d instanceof DomainError ? d.code : 'made');

describe('decidePayoutRequest', () => {
  it('refuses with a code: nothing available, above the available, below the minimum', () => {
    expect(codeOf(decidePayoutRequest(sides(0n, 0n, 300n), undefined, 500n))).toBe('PAYOUTS.NOTHING_AVAILABLE');
    expect((decidePayoutRequest(sides(0n, 0n, 300n), undefined, 500n) as DomainError).message).toContain('USD 3.00 is still pending');
    expect(codeOf(decidePayoutRequest(sides(2_000n, 2_000n), 2_001n, 500n))).toBe('PAYOUTS.AMOUNT_ABOVE_AVAILABLE');
    expect(codeOf(decidePayoutRequest(sides(2_000n, 2_000n), 499n, 500n))).toBe('PAYOUTS.BELOW_MINIMUM');
    expect(codeOf(decidePayoutRequest(sides(400n, 400n), undefined, 500n))).toBe('PAYOUTS.BELOW_MINIMUM');
  });

  it('agreeing figures: the amount asked for, or all that is available, for review', () => {
    expect(decidePayoutRequest(sides(2_000n, 2_000n), 500n, 500n)).toEqual({ amount: 500n, held: null });
    expect(decidePayoutRequest(sides(2_000n, 2_000n), undefined, 500n)).toEqual({ amount: 2_000n, held: null });
  });

  it('differing figures: held with both in words, an omitted amount the smaller of the two', () => {
    const more = decidePayoutRequest(sides(2_000n, 2_100n), undefined, 500n);
    expect(more).toEqual({ amount: 2_000n, held: { code: 'PAYOUTS.BALANCE_MISMATCH', reason: expect.stringContaining('Stripe reports USD 20.00 available') } });
    const less = decidePayoutRequest(sides(2_000n, 1_900n), undefined, 500n);
    expect(less).toEqual({ amount: 1_900n, held: { code: 'PAYOUTS.BALANCE_MISMATCH', reason: expect.stringContaining('the ledger USD 19.00 available') } });
    expect(codeOf(decidePayoutRequest(sides(2_000n, -5n), undefined, 500n))).toBe('PAYOUTS.NOTHING_AVAILABLE');
  });
});
