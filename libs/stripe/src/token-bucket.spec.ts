import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces callers at the rate, in order', async () => {
    const bucket = new TokenBucket(20, 5); // 20/s, burst 5
    const started = performance.now();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 15 }, (_, i) => bucket.take().then(() => order.push(i))));
    const elapsed = performance.now() - started;
    // 5 immediately, 10 more at 20/s: about 500 ms
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('refills over time up to the burst', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    await bucket.take();
    await bucket.take();
    now += 1_000; // 10 tokens worth, capped at 2
    const t0 = performance.now();
    await bucket.take();
    await bucket.take();
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('refuses a rate of zero', () => {
    expect(() => new TokenBucket(0)).toThrow();
  });
});
