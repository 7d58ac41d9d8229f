import fc from 'fast-check';
import { proportional } from '@app/money';
import { sellerPartsOfRefund } from './transfer-reversal-sizing.js';

const A = 'a';
const B = 'b';

describe('sellerPartsOfRefund', () => {
  it('splits a partial refund by the transfers, the platform keeping its fee part', () => {
    // gross 10000; transfers 6000 and 3000 (the platform's fee 1000)
    const parts = sellerPartsOfRefund({
      currency: 'USD',
      gross: 10_000n,
      refundedBefore: 0n,
      refund: 3_333n,
      sellers: [
        { sellerId: A, base: 6_000n, takenBefore: 0n },
        { sellerId: B, base: 3_000n, takenBefore: 0n },
      ],
    });
    // 9000 × 3333 / 10000 = 2999.7 -> 3000, split 2:1
    expect(parts).toEqual([
      { sellerId: A, amount: 2_000n },
      { sellerId: B, amount: 1_000n },
    ]);
  });

  it('the last refund takes exactly what is left', () => {
    const parts = sellerPartsOfRefund({
      currency: 'USD',
      gross: 10_000n,
      refundedBefore: 3_333n,
      refund: 6_667n,
      sellers: [
        { sellerId: A, base: 6_000n, takenBefore: 2_000n },
        { sellerId: B, base: 3_000n, takenBefore: 1_000n },
      ],
    });
    expect(parts).toEqual([
      { sellerId: A, amount: 4_000n },
      { sellerId: B, amount: 2_000n },
    ]);
  });

  it('property: any sequence of refunds sums to each transfer exactly at the full refund, never more', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 5_000_000n }),
        fc.bigInt({ min: 0n, max: 5_000_000n }),
        fc.bigInt({ min: 0n, max: 1_000_000n }),
        fc.array(fc.bigInt({ min: 1n, max: 1_000_000n }), { minLength: 1, maxLength: 6 }),
        (a, b, fee, cuts) => {
          const gross = a + b + fee;
          const taken = [0n, 0n];
          let refunded = 0n;
          const refunds = cuts.map((c) => c).filter((c) => c > 0n);
          for (const c of [...refunds, gross]) {
            const r = refunded + c > gross ? gross - refunded : c;
            if (r <= 0n) continue;
            const parts = sellerPartsOfRefund({
              currency: 'USD',
              gross,
              refundedBefore: refunded,
              refund: r,
              sellers: [
                { sellerId: A, base: a, takenBefore: taken[0]! },
                { sellerId: B, base: b, takenBefore: taken[1]! },
              ],
            });
            taken[0]! += parts[0]!.amount;
            taken[1]! += parts[1]!.amount;
            refunded += r;
            expect(parts.every((p) => p.amount >= 0n)).toBe(true);
            expect(taken[0]! <= a && taken[1]! <= b).toBe(true);
          }
          expect(taken).toEqual([a, b]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('sizes on what the sellers really bore so far: a part one unit over before (two refunds settled close together) is made up, each seller at their exact cumulative part', () => {
    // refunded 3333 before should have taken 3000 (2000 + 1000); B bore 1001
    const parts = sellerPartsOfRefund({
      currency: 'USD',
      gross: 10_000n,
      refundedBefore: 3_333n,
      refund: 3_333n,
      sellers: [
        { sellerId: A, base: 6_000n, takenBefore: 2_000n },
        { sellerId: B, base: 3_000n, takenBefore: 1_001n },
      ],
    });
    // 9000 × 6666 / 10000 = 5999.4 -> 5999 in all: A 3999, B 2000 (largest remainder of 5999 over 6000:3000)
    expect(parts).toEqual([
      { sellerId: A, amount: 1_999n },
      { sellerId: B, amount: 999n },
    ]);
  });

  it('property: after every refund each seller has borne exactly their largest-remainder share of the cumulative total (three sellers)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 2_000_000n }), { minLength: 3, maxLength: 3 }),
        fc.bigInt({ min: 0n, max: 1_000_000n }),
        fc.array(fc.bigInt({ min: 1n, max: 1_000_000n }), { minLength: 1, maxLength: 8 }),
        (bases, fee, cuts) => {
          const total = bases.reduce((x, y) => x + y, 0n);
          const gross = total + fee;
          const taken = bases.map(() => 0n);
          let refunded = 0n;
          for (const c of [...cuts, gross]) {
            const r = refunded + c > gross ? gross - refunded : c;
            if (r <= 0n) continue;
            const parts = sellerPartsOfRefund({
              currency: 'USD',
              gross,
              refundedBefore: refunded,
              refund: r,
              sellers: bases.map((base, i) => ({ sellerId: String(i), base, takenBefore: taken[i]! })),
            });
            parts.forEach((p, i) => {
              expect(p.amount >= 0n).toBe(true);
              taken[i]! += p.amount;
            });
            refunded += r;
            const cumulative = refunded >= gross ? total : proportional(total, refunded, gross);
            expect(taken.reduce((x, y) => x + y, 0n)).toBe(cumulative);
            // within one unit of the exact share
            taken.forEach((x, i) => {
              const exact = cumulative * bases[i]!;
              const diff = x * total - exact;
              expect(diff < total && -diff < total).toBe(true);
            });
          }
          expect(taken).toEqual(bases);
        },
      ),
      // the first counterexample CI found: a seller's largest-remainder share fell a unit as the total grew
      // (the Alabama paradox) and the unit was taken back from another seller already under their share
      { numRuns: 300, examples: [[[5n, 520_062n, 1_002_797n], 997_962n, [478_476n, 222_071n, 96_761n, 27_355n, 372_176n, 524_566n, 3_873n]]] },
    );
  });
});
