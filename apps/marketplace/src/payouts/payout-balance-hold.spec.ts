import { balanceHold } from './payout-start.service.js';

const sides = (stripe: bigint, ledger: bigint) => ({ currency: 'USD', stripe: { available: stripe, pending: 0n }, ledger: { available: ledger, pending: 0n }, matches: stripe === ledger });

describe('balanceHold (the balance check before a payout)', () => {
  it('pays only when the ledger and Stripe agree and cover the amount', () => {
    expect(balanceHold({ amount: 5_000n, currency: 'USD' }, sides(5_000n, 5_000n))).toBeNull();
    expect(balanceHold({ amount: 5_000n, currency: 'USD' }, sides(9_000n, 9_000n))).toBeNull();
  });

  it('waits with both figures when they differ, whichever side is higher', () => {
    for (const [stripe, ledger] of [
      [5_000n, 4_900n],
      [4_900n, 5_000n],
    ] as const) {
      const hold = balanceHold({ amount: 4_000n, currency: 'USD' }, sides(stripe, ledger));
      expect(hold?.code).toBe('PAYOUTS.BALANCE_MISMATCH');
      expect(hold?.reason).toContain('Stripe reports');
    }
  });

  it('waits when the approved amount is above what is available now (a refund debited the seller since)', () => {
    expect(balanceHold({ amount: 5_000n, currency: 'USD' }, sides(4_999n, 4_999n))).toMatchObject({ code: 'PAYOUTS.AMOUNT_ABOVE_AVAILABLE' });
  });
});
