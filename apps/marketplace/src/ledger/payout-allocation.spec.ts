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

  it('a debit (a refund of available funds) counts where it stands', () => {
    expect(allocatePayout(1500n, movements([1000n, -300n, 1000n]))).toEqual([
      { lineId: 'l0', amount: 1000n },
      { lineId: 'l1', amount: -300n },
      { lineId: 'l2', amount: 800n },
    ]);
  });

  it('stops at the exact amount and skips what is fully paid out', () => {
    expect(allocatePayout(1000n, movements([0n, 1000n, -200n, 500n]))).toEqual([{ lineId: 'l1', amount: 1000n }]);
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

  it('property: the parts sum to the payout exactly; each takes at most what remains of its movement, with its sign; oldest first, only the last part of a line partial', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 200_000n }), movementList, (amount, remaining) => {
        const given = movements(remaining);
        const parts = allocatePayout(amount, given);
        expect(parts.reduce((s, p) => s + p.amount, 0n)).toBe(amount);
        const taken = parts.filter((p) => p.lineId !== null);
        const indexes = taken.map((p) => Number(p.lineId!.slice(1)));
        // in the order given, each movement once
        expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
        expect(new Set(indexes).size).toBe(indexes.length);
        taken.forEach((p, i) => {
          const m = given[indexes[i]!]!;
          expect(p.amount !== 0n).toBe(true);
          if (m.remaining < 0n) expect(p.amount).toBe(m.remaining);
          else if (i < taken.length - 1) expect(p.amount).toBe(m.remaining);
          else expect(p.amount > 0n && p.amount <= m.remaining).toBe(true);
        });
        // no movement before the last one taken is left out (except those with nothing remaining)
        const last = indexes.at(-1) ?? -1;
        for (let i = 0; i <= last; i++) if (given[i]!.remaining !== 0n) expect(indexes).toContain(i);
        // a part without a movement only when every movement was taken and they fell short
        const uncovered = parts.find((p) => p.lineId === null);
        if (uncovered) {
          expect(uncovered).toBe(parts.at(-1));
          expect(given.filter((m) => m.remaining !== 0n).length).toBe(taken.length);
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
