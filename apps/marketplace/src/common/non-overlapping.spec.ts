import { nonOverlapping } from './non-overlapping.js';

describe('nonOverlapping', () => {
  it('skips ticks while a run is in flight, runs again once it ended, and survives a failed run', async () => {
    let started = 0;
    const finishers: Array<(fail?: boolean) => void> = [];
    const tick = nonOverlapping(
      () =>
        new Promise<void>((resolve, reject) => {
          started++;
          finishers.push((fail) => (fail ? reject(new Error('failed run')) : resolve()));
        }),
    );
    const first = tick();
    await Promise.all([tick(), tick(), tick()]); // skipped: the first still runs
    expect(started).toBe(1);
    finishers[0]!();
    await first;
    const second = tick();
    expect(started).toBe(2);
    finishers[1]!(true);
    await expect(second).rejects.toThrow('failed run');
    void tick();
    expect(started).toBe(3);
    finishers[2]!();
  });
});
