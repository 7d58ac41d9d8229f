import fc from 'fast-check';
import { sizeSeparateCharge } from './transfer-sizing.js';

const split = (sellerId: string, subtotal: bigint, fee: bigint) => ({ sellerId, subtotal, fee, sellerShare: subtotal - fee });

describe('sizeSeparateCharge', () => {
  const sellers = [split('a', 1_000n, 100n), split('b', 3_000n, 300n)];

  it('platform: each seller is transferred their whole share; Stripe fee is the platform’s', () => {
    const sized = sizeSeparateCharge({ amount: 4_000n, fee: 146n, currency: 'USD' }, sellers, 'platform');
    expect(sized.map((s) => [s.share.minor, s.fee.minor, s.stripeFee.minor, s.transfer.minor])).toEqual([
      [900n, 100n, 0n, 900n],
      [2_700n, 300n, 0n, 2_700n],
    ]);
  });

  it('sellers: Stripe fee allocated in proportion to the shares, largest remainder', () => {
    const sized = sizeSeparateCharge({ amount: 4_000n, fee: 146n, currency: 'USD' }, sellers, 'sellers');
    // 146 × 900/3600 = 36.5, 146 × 2700/3600 = 109.5: one gets the extra unit
    expect(sized.map((s) => s.stripeFee.minor).reduce((a, b) => a + b)).toBe(146n);
    expect(sized.map((s) => s.transfer.minor + s.stripeFee.minor)).toEqual([900n, 2_700n]);
  });

  it('for all inputs: transfers + application fees + allocated Stripe fee = gross, nothing negative', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ subtotal: fc.bigInt({ min: 1n, max: 1_000_000n }), bps: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 6 }),
        fc.bigInt({ min: 0n, max: 100_000n }),
        fc.constantFrom('platform' as const, 'sellers' as const),
        fc.integer({ min: 50, max: 150 }),
        (rows, stripeFee, policy, fxPercent) => {
          const recorded = rows.map((r, i) => split(`s${i}`, r.subtotal, (r.subtotal * BigInt(r.bps)) / 10_000n));
          const total = recorded.reduce((s, r) => s + r.subtotal, 0n);
          const settled = (total * BigInt(fxPercent)) / 100n || 1n; // what Stripe settled, maybe another currency
          const sized = sizeSeparateCharge({ amount: settled, fee: stripeFee, currency: 'USD' }, recorded, policy);
          const sum = sized.reduce((s, x) => s + x.transfer.minor + x.fee.minor + x.stripeFee.minor, 0n);
          expect(sum).toBe(settled);
          for (const x of sized) {
            expect(x.transfer.minor >= 0n && x.stripeFee.minor >= 0n && x.fee.minor >= 0n).toBe(true);
            expect(x.transfer.minor + x.stripeFee.minor).toBe(x.share.minor);
          }
          const allocated = sized.reduce((s, x) => s + x.stripeFee.minor, 0n);
          if (policy === 'platform') expect(allocated).toBe(0n);
          else expect(allocated <= stripeFee).toBe(true);
        },
      ),
    );
  });
});
