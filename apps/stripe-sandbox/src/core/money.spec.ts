import fc from 'fast-check';
import { basisPoints, processingFee, proportional, proportionalShare } from './money.js';

describe('money', () => {
  it('charges 2.9% + 30 by default, rounded half up', () => {
    expect(processingFee(10000)).toBe(320);
    expect(processingFee(1000)).toBe(59);
    expect(basisPoints(50, 290)).toBe(1); // 1.45 -> 1
    expect(basisPoints(100, 250)).toBe(3); // 2.5 -> 3
  });

  it('never charges more than the amount', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (amount) => processingFee(amount) <= amount));
  });

  it('proportional shares of successive partial refunds add up to the total exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }), (whole, totalRaw, parts) => {
        const total = totalRaw % (whole + 1);
        let refunded = 0;
        let reversed = 0;
        const sizes = parts.map((p) => Math.max(1, Math.floor((whole * p) / 8000)));
        for (const size of sizes) {
          const part = Math.min(size, whole - refunded);
          if (part <= 0) break;
          const share = proportionalShare(total, reversed, part, refunded, whole);
          expect(share).toBeGreaterThanOrEqual(0);
          reversed += share;
          refunded += part;
        }
        if (refunded < whole) {
          reversed += proportionalShare(total, reversed, whole - refunded, refunded, whole);
        }
        expect(reversed).toBe(total);
      }),
    );
    expect(proportional(1000, 4000, 10000)).toBe(400);
  });
});
