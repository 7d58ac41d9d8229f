import fc from 'fast-check';
import { retryDelayMs } from './webhook-dispatcher.service.js';

describe('retryDelayMs', () => {
  it('doubles per attempt from the base, within +-20% jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 2_000, 3_600_000, mid))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(1, 2_000, 3_600_000, () => 0)).toBe(1_600);
    expect(retryDelayMs(1, 2_000, 3_600_000, () => 0.999999)).toBe(2_400);
  });

  it('never exceeds the cap (plus jitter) and always grows or stays until the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 10_000, max: 10_000_000 }), (attempts, base, cap) => {
        const d = retryDelayMs(attempts, base, cap, () => 0.5);
        expect(d).toBeLessThanOrEqual(cap);
        expect(retryDelayMs(attempts + 1, base, cap, () => 0.5)).toBeGreaterThanOrEqual(d);
      }),
    );
  });
});
