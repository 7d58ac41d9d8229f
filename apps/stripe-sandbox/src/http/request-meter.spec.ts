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
    expect(meter.stats(60, 'total')).toMatchObject({ total: 0, handling_ms: { count: 0 } });
  });
});
