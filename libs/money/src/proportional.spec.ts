import fc from 'fast-check';
import { proportional } from './proportional.js';

describe('proportional', () => {
  it('rounds half up', () => {
    expect(proportional(250n, 10n, 10_000n)).toBe(0n); // 0.25
    expect(proportional(250n, 100n, 10_000n)).toBe(3n); // 2.5
    expect(proportional(1000n, 1n, 3n)).toBe(333n);
    expect(proportional(1000n, 2n, 3n)).toBe(667n);
  });

  it('is 0 for a whole that is not positive', () => {
    expect(proportional(100n, 1n, 0n)).toBe(0n);
  });

  it('is the nearest integer to total * part / whole (ties up) for non-negative inputs', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 10n ** 6n }), (total, part, whole) => {
        const r = proportional(total, part, whole);
        const twice = 2n * total * part;
        expect(twice >= (2n * r - 1n) * whole && twice < (2n * r + 1n) * whole).toBe(true);
      }),
    );
  });
});
