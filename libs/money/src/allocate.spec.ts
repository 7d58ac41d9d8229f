import fc from 'fast-check';
import { allocate } from './allocate.js';
import { Money } from './money.js';
import { InvalidAllocationError, MoneyError } from './money.errors.js';

const minors = (shares: Money[]) => shares.map((share) => share.minor);

describe('allocate', () => {
  it('splits evenly when it can', () => {
    expect(minors(allocate(Money.of(900n, 'USD'), [1n, 1n, 1n]))).toEqual([300n, 300n, 300n]);
  });

  it('gives the odd unit to the earlier index on a tie', () => {
    expect(minors(allocate(Money.of(100n, 'USD'), [1n, 1n, 1n]))).toEqual([34n, 33n, 33n]);
    expect(minors(allocate(Money.of(101n, 'USD'), [1n, 1n, 1n]))).toEqual([34n, 34n, 33n]);
    expect(minors(allocate(Money.of(1n, 'USD'), [1n, 1n]))).toEqual([1n, 0n]);
  });

  it('gives leftover units to the largest remainders, not the first indices', () => {
    // 7 units over [1, 1, 2]: exact 1.75, 1.75, 3.5 -> floors 1, 1, 3 (leftover 2) -> remainders .75 .75 .5 -> [2, 2, 3].
    expect(minors(allocate(Money.of(7n, 'USD'), [1n, 1n, 2n]))).toEqual([2n, 2n, 3n]);
    // exact 0.3, 0.3, 0.4 of 1 unit -> the largest remainder is the last share.
    expect(minors(allocate(Money.of(1n, 'USD'), [3n, 3n, 4n]))).toEqual([0n, 0n, 1n]);
  });

  it('splits by proportion (70/20/10 of 10.01)', () => {
    expect(minors(allocate(Money.of(1001n, 'EUR'), [70n, 20n, 10n]))).toEqual([701n, 200n, 100n]);
  });

  it('never gives anything to a zero weight', () => {
    expect(minors(allocate(Money.of(5n, 'USD'), [0n, 1n, 0n, 1n]))).toEqual([0n, 3n, 0n, 2n]);
  });

  it('allocates a negative total as the mirror image of the positive one', () => {
    expect(minors(allocate(Money.of(-100n, 'USD'), [1n, 1n, 1n]))).toEqual([-34n, -33n, -33n]);
  });

  it('keeps the currency and handles a zero total', () => {
    const shares = allocate(Money.of(0n, 'JPY'), [1n, 2n]);
    expect(shares.map((share) => share.currency)).toEqual(['JPY', 'JPY']);
    expect(minors(shares)).toEqual([0n, 0n]);
  });

  it('works above 2^53', () => {
    const total = Money.of(2n ** 64n + 1n, 'USD');
    const shares = allocate(total, [1n, 1n]);
    expect(minors(shares)).toEqual([2n ** 63n + 1n, 2n ** 63n]);
  });

  it.each([
    ['empty weights', []],
    ['a negative weight', [1n, -1n, 2n]],
    ['all-zero weights', [0n, 0n]],
  ])('rejects %s with a typed error', (_label, weights) => {
    let caught: unknown;
    try {
      allocate(Money.of(100n, 'USD'), weights);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidAllocationError);
    expect((caught as MoneyError).code).toBe('MONEY.INVALID_ALLOCATION');
  });

  it('rejects non-bigint weights from untyped callers', () => {
    expect(() => allocate(Money.of(100n, 'USD'), [1 as unknown as bigint])).toThrow(InvalidAllocationError);
  });

  describe('properties', () => {
    const total = fc.oneof(fc.bigInt({ min: -10_000n, max: 10_000n }), fc.bigInt({ min: -(2n ** 96n), max: 2n ** 96n }));
    const weights = fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 10n }), fc.bigInt({ min: 0n, max: 2n ** 40n })), { minLength: 1, maxLength: 20 }).filter((ws) => ws.some((w) => w > 0n));

    it('shares sum to the total and each is within one unit of its exact proportional value', () => {
      fc.assert(
        fc.property(total, weights, (t, ws) => {
          const shares = allocate(Money.of(t, 'USD'), ws);
          const weightSum = ws.reduce((a, b) => a + b, 0n);
          expect(shares).toHaveLength(ws.length);
          expect(shares.reduce((sum, share) => sum + share.minor, 0n)).toBe(t);
          shares.forEach((share, i) => {
            expect(share.currency).toBe('USD');
            // |share - t*w/W| < 1  <=>  |share*W - t*w| < W, all in integers.
            const diff = share.minor * weightSum - t * ws[i];
            expect(diff < 0n ? -diff : diff).toBeLessThan(weightSum);
            if (ws[i] === 0n) expect(share.minor).toBe(0n);
          });
        }),
        { numRuns: 500 },
      );
    });

    it('extra units go to the largest remainders, earlier index first on ties', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), weights, (t, ws) => {
          const shares = minors(allocate(Money.of(t, 'USD'), ws));
          const weightSum = ws.reduce((a, b) => a + b, 0n);
          const floors = ws.map((w) => (t * w) / weightSum);
          const remainders = ws.map((w) => (t * w) % weightSum);
          const gotExtra = shares.map((s, i) => s - floors[i]);
          for (const extra of gotExtra) expect(extra === 0n || extra === 1n).toBe(true);
          for (let i = 0; i < ws.length; i++) {
            for (let j = 0; j < ws.length; j++) {
              if (gotExtra[i] === 1n && gotExtra[j] === 0n) {
                const before = remainders[i] > remainders[j] || (remainders[i] === remainders[j] && i < j);
                expect(before).toBe(true);
              }
            }
          }
        }),
      );
    });

    it('a negative total is the exact negation of the positive allocation', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: 2n ** 70n }), weights, (t, ws) => {
          const positive = minors(allocate(Money.of(t, 'USD'), ws));
          const negative = minors(allocate(Money.of(-t, 'USD'), ws));
          expect(negative).toEqual(positive.map((s) => -s));
        }),
      );
    });
  });
});
