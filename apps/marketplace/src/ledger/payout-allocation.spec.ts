import fc from 'fast-check';
import { allocatePayout, type AllocatableMovement } from './payout-allocation.js';

const movements = (amounts: bigint[]): AllocatableMovement[] => amounts.map((remaining, i) => ({ lineId: `l${i}`, remaining }));

describe('allocatePayout', () => {
  it('takes the oldest movements whole, then a part of the next', () => {
    expect(allocatePayout(2500n, movements([1000n, 1000n, 1000n]))).toEqual([
      { lineId: 'l0', amount: 1000n },
      { lineId: 'l1', amount: 1000n },
      { lineId: 'l2', amount: 500n },
    ]);
  });

  it('every debit (a refund of available funds) counts, whole, wherever it stands', () => {
    expect(allocatePayout(1500n, movements([1000n, 1000n, -300n]))).toEqual([
      { lineId: 'l2', amount: -300n },
      { lineId: 'l0', amount: 1000n },
      { lineId: 'l1', amount: 800n },
    ]);
  });

  it('stops at the exact amount and skips what is fully paid out', () => {
    expect(allocatePayout(1000n, movements([0n, 1000n, 500n]))).toEqual([{ lineId: 'l1', amount: 1000n }]);
    expect(allocatePayout(800n, movements([0n, 1000n, -200n, 500n]))).toEqual([
      { lineId: 'l2', amount: -200n },
      { lineId: 'l1', amount: 1000n },
    ]);
  });

  it('what the ledger cannot cover is a part without a movement', () => {
    expect(allocatePayout(1500n, movements([1000n]))).toEqual([
      { lineId: 'l0', amount: 1000n },
      { lineId: null, amount: 500n },
    ]);
    expect(allocatePayout(700n, [])).toEqual([{ lineId: null, amount: 700n }]);
  });

  it('refuses a payout that is not positive', () => {
    expect(() => allocatePayout(0n, movements([100n]))).toThrow(RangeError);
  });

  const movementList = fc.array(fc.bigInt({ min: -5000n, max: 20_000n }), { maxLength: 30 });

  it('property: the parts sum to the payout exactly; every debit whole; credits oldest first, each whole but the last, never more than remains', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 200_000n }), movementList, (amount, remaining) => {
        const given = movements(remaining);
        const parts = allocatePayout(amount, given);
        expect(parts.reduce((s, p) => s + p.amount, 0n)).toBe(amount);
        const taken = parts.filter((p) => p.lineId !== null);
        const byLine = new Map(taken.map((p) => [p.lineId!, p.amount]));
        expect(byLine.size).toBe(taken.length); // each movement once
        // every debit, whole
        for (const m of given.filter((m) => m.remaining < 0n)) expect(byLine.get(m.lineId)).toBe(m.remaining);
        // credits: a prefix of the credits in the order given, all whole but the last, which is positive and at most what remains
        const credits = given.filter((m) => m.remaining > 0n);
        const takenCredits = taken.filter((p) => p.amount > 0n);
        expect(takenCredits.map((p) => p.lineId)).toEqual(credits.slice(0, takenCredits.length).map((m) => m.lineId));
        takenCredits.forEach((p, i) => {
          const m = credits[i]!;
          if (i < takenCredits.length - 1) expect(p.amount).toBe(m.remaining);
          else expect(p.amount > 0n && p.amount <= m.remaining).toBe(true);
        });
        // nothing is taken from a movement with nothing left
        expect(taken.every((p) => p.amount !== 0n)).toBe(true);
        // a part without a movement only when every credit was taken whole and they fell short
        const uncovered = parts.find((p) => p.lineId === null);
        if (uncovered) {
          expect(uncovered).toBe(parts.at(-1));
          expect(takenCredits.length).toBe(credits.length);
          expect(takenCredits.every((p, i) => p.amount === credits[i]!.remaining)).toBe(true);
        }
      }),
    );
  });

  it('property: when the movements cover the payout, every part has a movement', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.bigInt({ min: 1n, max: 20_000n }), { minLength: 1, maxLength: 20 })
          .chain((remaining) => fc.tuple(fc.constant(remaining), fc.bigInt({ min: 1n, max: remaining.reduce((s, r) => s + r, 0n) }))),
        ([remaining, amount]) => {
          expect(allocatePayout(amount, movements(remaining)).every((p) => p.lineId !== null)).toBe(true);
        },
      ),
    );
  });
});
