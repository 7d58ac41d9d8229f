import fc from 'fast-check';
import { basisPoints, processingFee, proportional, refundShare } from './money.js';

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

  it('rounds a proportional share half up', () => {
    expect(proportional(1000, 4000, 10000)).toBe(400);
    expect(proportional(1000, 3333, 10000)).toBe(333); // 333.3
    expect(proportional(1000, 3335, 10000)).toBe(334); // 333.5
    expect(proportional(5, 1, 0)).toBe(0);
  });

  describe('refundShare: what one refund returns of a fee or a transfer', () => {
    const fee = (returned: number, refund: number, completes = false) => refundShare({ total: 1000, returned, refund, of: 10_000, completes });

    it('is proportional to this refund alone, not to the charge refunded so far', () => {
      // 10 000 charge, 1 000 fee: 3 333 + 3 333 + the rest
      expect(fee(0, 3333)).toBe(333);
      expect(fee(333, 3333)).toBe(333); // a cumulative formula would give 667 - 333 = 334
      expect(fee(666, 3334, true)).toBe(334);
    });

    it('a refund completing the charge returns whatever is left, also after a failed refund kept its share', () => {
      // refund 4 000 (400 of the fee), the refund fails (the 400 stays refunded), then the whole 10 000 again
      expect(fee(0, 4000)).toBe(400);
      expect(fee(400, 10_000, true)).toBe(600);
      // or a partial one after the failure: in proportion to it, within what is left
      expect(fee(400, 5000)).toBe(500);
      expect(fee(400, 7000)).toBe(600);
      expect(fee(1000, 10_000, true)).toBe(0);
    });

    it('never returns more than remains, nor less than nothing', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.boolean(),
          (of, totalRaw, returnedRaw, refundRaw, completes) => {
            const total = totalRaw % (of + 1);
            const returned = returnedRaw % (total + 1);
            const refund = Math.min(refundRaw, of);
            const share = refundShare({ total, returned, refund, of, completes });
            expect(share).toBeGreaterThanOrEqual(0);
            expect(share).toBeLessThanOrEqual(total - returned);
            if (completes) expect(share).toBe(total - returned);
          },
        ),
      );
    });

    it('successive refunds of a whole charge, the last completing it, return the total exactly', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
          (whole, totalRaw, parts) => {
            const total = totalRaw % (whole + 1);
            let refunded = 0;
            let returned = 0;
            for (const p of parts) {
              const part = Math.min(Math.max(1, Math.floor((whole * p) / 8000)), whole - refunded);
              if (part <= 0) break;
              refunded += part;
              returned += refundShare({ total, returned, refund: part, of: whole, completes: refunded === whole });
            }
            if (refunded < whole) returned += refundShare({ total, returned, refund: whole - refunded, of: whole, completes: true });
            expect(returned).toBe(total);
          },
        ),
      );
    });
  });
});
