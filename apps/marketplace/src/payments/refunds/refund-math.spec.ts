import fc from 'fast-check';
import { applicationFeeRefund } from './refund-math.js';

describe('applicationFeeRefund', () => {
  it('returns the fee in proportion, and a full refund returns all of it', () => {
    const base = { policy: 'proportional' as const, fee: 1_000n, gross: 10_000n };
    expect(applicationFeeRefund({ ...base, feeRefundedBefore: 0n, refund: 2_500n, refundedBefore: 0n })).toBe(250n);
    expect(applicationFeeRefund({ ...base, feeRefundedBefore: 250n, refund: 7_500n, refundedBefore: 2_500n })).toBe(750n);
  });

  it('keeps the fee under the never policy', () => {
    expect(applicationFeeRefund({ policy: 'never', fee: 1_000n, gross: 10_000n, feeRefundedBefore: 0n, refund: 10_000n, refundedBefore: 0n })).toBe(0n);
  });

  it('over any sequence of partial refunds ending in a full one: never negative, never above the fee, sums to the fee exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 99_999_999n }), fc.integer({ min: 0, max: 10_000 }), fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }), (gross, bps, weights) => {
        const fee = (gross * BigInt(bps)) / 10_000n;
        let refunded = 0n;
        let feeRefunded = 0n;
        const total = weights.reduce((a, b) => a + b, 0);
        weights.forEach((w, i) => {
          const refund = i === weights.length - 1 ? gross - refunded : (gross * BigInt(w)) / BigInt(total);
          if (refund <= 0n) return;
          const part = applicationFeeRefund({ policy: 'proportional', fee, feeRefundedBefore: feeRefunded, refund, refundedBefore: refunded, gross });
          expect(part >= 0n && part <= refund).toBe(true);
          refunded += refund;
          feeRefunded += part;
          expect(feeRefunded <= fee).toBe(true);
        });
        expect(feeRefunded).toBe(fee);
      }),
      { numRuns: 500 },
    );
  });
});
