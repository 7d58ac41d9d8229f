import { RequestMeter } from './request-meter.js';

describe('RequestMeter', () => {
  it("counts arrivals per second and reports the sandbox's own handling time per key, in the window only", () => {
    let now = 1_000_000;
    const meter = new RequestMeter(600, () => now);
    // an old request, outside a 10 s window
    meter.record('POST', '/v1/transfers');
    meter.recordHandled('POST', '/v1/transfers', 50);
    now += 20_000;
    for (const ms of [1, 2, 3, 4, 100]) {
      meter.record('POST', '/v1/checkout/sessions');
      meter.recordHandled('POST', '/v1/checkout/sessions', ms);
    }
    meter.record('GET', '/v1/charges/ch_1AbC');
    meter.recordHandled('GET', '/v1/charges/ch_1AbC', 7);

    const sessions = meter.stats(10, 'POST /v1/checkout/sessions');
    expect(sessions).toMatchObject({ total: 5, max_per_second: 5, handling_ms: { count: 5, mean: 22, p50: 3, p99: 100, max: 100 } });
    expect(meter.stats(10, 'GET /v1/charges/*').handling_ms).toEqual({ count: 1, mean: 7, p50: 7, p99: 7, max: 7 });
    expect(meter.stats(10, 'total').handling_ms).toMatchObject({ count: 6, max: 100 });
    // the transfer of 20 s ago is outside the window; inside a 60 s one it counts
    expect(meter.stats(10, 'POST /v1/transfers')).toMatchObject({ total: 0, handling_ms: { count: 0, mean: 0, p50: 0, p99: 0, max: 0 } });
    expect(meter.stats(60, 'POST /v1/transfers')).toMatchObject({ total: 1, handling_ms: { count: 1, p50: 50 } });

    meter.reset();
    expect(meter.stats(60, 'total')).toMatchObject({ total: 0, handling_ms: { count: 0 }, max_in_any_second_at: null, event_loop_delay_ms: null });
  });

  it('says where the densest sliding second began, which can straddle two calendar seconds', () => {
    let now = 5_000_000;
    const meter = new RequestMeter(600, () => now);
    // 4 in calendar second 5000 and 3 in 5001, but 6 in the sliding second from 5_000_600
    for (const at of [5_000_000, 5_000_600, 5_000_700, 5_000_900, 5_001_100, 5_001_200, 5_001_500]) {
      now = at;
      meter.record('GET', '/v1/balance');
    }
    expect(meter.stats(60, 'total')).toMatchObject({ total: 7, max_per_second: 4, max_in_any_second: 6, max_in_any_second_at: 5_000_600 });
  });

  it("reports this process's event-loop delay once watched, and starts it again on reset", async () => {
    const meter = new RequestMeter();
    meter.watchEventLoop();
    try {
      await new Promise((r) => setTimeout(r, 30)); // the sampler's first tick
      const until = Date.now() + 60;
      while (Date.now() < until); // a 60 ms stall of this event loop
      await new Promise((r) => setTimeout(r, 30));
      expect(meter.stats(60).event_loop_delay_ms!.max).toBeGreaterThanOrEqual(40);
      meter.reset();
      expect(meter.stats(60).event_loop_delay_ms).toBeNull();
    } finally {
      meter.close();
    }
  });
});
