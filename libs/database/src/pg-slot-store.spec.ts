import { ClockOffset } from './pg-slot-store.js';

describe("ClockOffset: the database's clock on this process's", () => {
  it('places a remote time by the sample with the shortest round trip', () => {
    const clock = new ClockOffset();
    // the database is 1,000,000 ms ahead; it read its clock 1 ms into a 2 ms round trip
    clock.observe(100, 102, 1_000_101);
    expect(clock.toLocal(1_000_150)).toBe(150);
    // an answer that waited 30 ms for a pooled connection says little about the clock: not taken
    clock.observe(200, 230, 1_000_229);
    expect(clock.toLocal(1_000_150)).toBe(150);
    // an equally quick one replaces it
    clock.observe(300, 302, 1_000_302);
    expect(clock.toLocal(1_000_150)).toBe(149);
  });

  it('lets a slower sample replace one that has aged', () => {
    const clock = new ClockOffset();
    clock.observe(0, 2, 1_000_001);
    // 60 s later a 10 ms round trip (error 5 ms) beats the 1 ms error aged by 500 ppm (31 ms)
    clock.observe(60_000, 60_010, 1_060_009);
    expect(clock.toLocal(1_060_009)).toBe(60_005);
  });
});
