import fc from 'fast-check';
import { LocalSlotStore, MAX_LATE_SLOTS, ScheduledRequestBudget, endpointLimitFor, reserveSlot, slotIntervalMs, type ScheduledBudgetOptions, type SlotStore } from './request-budget.js';
import { StripeGatewayError } from './stripe-gateway.error.js';

const lane = (name: string, rate: number, slack = 40) => ({ name, intervalMs: slotIntervalMs(rate, slack) });

// the most requests any 1-second window [t, t + 1000) holds
function maxInAnySecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

describe('the request schedule', () => {
  it('spaces slots (1000 + slack) / rate apart and grants an idle budget at once', () => {
    expect(slotIntervalMs(25, 40)).toBeCloseTo(41.6);
    const g = lane('stripe', 25);
    let next = { global: -Infinity };
    const slots: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = reserveSlot(next, 1000, g);
      if (!r.granted) throw new Error('refused');
      slots.push(r.slot);
      next = r.next;
    }
    expect(slots).toEqual([1000, 1041.6, 1083.2, 1124.8, 1166.4].map((s) => expect.closeTo(s, 6)));
    // after a quiet spell the next request goes at once, not in a burst of saved-up slots
    const later = reserveSlot(next, 5000, g);
    expect(later).toMatchObject({ granted: true, slot: 5000 });
  });

  it('an endpoint whose next slot is later refuses and reserves nothing; both lanes move on from the slot used', () => {
    const g = lane('stripe', 100);
    const e = lane('stripe:POST /v1/transfers', 25);
    expect(reserveSlot({ global: 0, endpoint: 500 }, 100, g, e)).toEqual({ granted: false, retryInMs: 400 });
    // a global backlog up to 300 passes before the endpoint's 500: ask again in 200
    expect(reserveSlot({ global: 300, endpoint: 500 }, 100, g, e)).toEqual({ granted: false, retryInMs: 200 });
    const r = reserveSlot({ global: 600, endpoint: 500 }, 100, g, e);
    expect(r).toEqual({ granted: true, slot: 600, next: { global: 600 + g.intervalMs, endpoint: 600 + e.intervalMs } });
  });

  it('never lets more than the budget into any 1-second window, whatever the demand and a lateness up to the slack', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 39.9, noNaN: true })), { minLength: 1, maxLength: 400 }),
        (rate, requests) => {
          const g = lane('stripe', rate);
          let next = { global: -Infinity };
          const sent: number[] = [];
          for (const [askedAt, late] of [...requests].sort((a, b) => a[0] - b[0])) {
            const r = reserveSlot(next, askedAt, g);
            if (!r.granted) throw new Error('a global-only request is never refused');
            next = r.next;
            sent.push(r.slot + late);
          }
          expect(maxInAnySecond(sent)).toBeLessThanOrEqual(rate);
        },
      ),
    );
  });

  it('holds the global and the endpoint budget together, for a mix of requests', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.boolean()), { minLength: 1, maxLength: 300 }), (requests) => {
        const g = lane('stripe', 50);
        const e = lane('stripe:POST /v1/transfers', 20);
        let next: { global: number; endpoint?: number } = { global: -Infinity, endpoint: -Infinity };
        const all: number[] = [];
        const transfers: number[] = [];
        // a refused request asks again at the time it was told
        const queue = requests.map(([at, isTransfer]) => ({ at, isTransfer })).sort((a, b) => a.at - b.at);
        while (queue.length) {
          const q = queue.shift()!;
          const r = reserveSlot({ global: next.global, endpoint: q.isTransfer ? next.endpoint : undefined }, q.at, g, q.isTransfer ? e : undefined);
          if (!r.granted) {
            queue.push({ at: q.at + r.retryInMs, isTransfer: true });
            queue.sort((a, b) => a.at - b.at);
            continue;
          }
          next = { global: r.next.global, endpoint: r.next.endpoint ?? next.endpoint };
          all.push(r.slot);
          if (q.isTransfer) transfers.push(r.slot);
        }
        expect(all).toHaveLength(requests.length);
        expect(maxInAnySecond(all)).toBeLessThanOrEqual(50);
        expect(maxInAnySecond(transfers)).toBeLessThanOrEqual(20);
      }),
    );
  });

  it('finds the endpoint limit of an operation by method and path', () => {
    const limits = [
      { method: 'POST', path: '/v1/transfers', ratePerSecond: 10 },
      { method: 'POST', path: '/v1/transfers/*/reversals', ratePerSecond: 5 },
    ];
    expect(endpointLimitFor('POST', '/v1/transfers', limits)?.ratePerSecond).toBe(10);
    expect(endpointLimitFor('POST', '/v1/transfers/tr_123/reversals', limits)?.ratePerSecond).toBe(5);
    expect(endpointLimitFor('GET', '/v1/transfers', limits)).toBeUndefined();
    expect(endpointLimitFor('POST', '/v1/transfers/tr_123', limits)).toBeUndefined();
    expect(endpointLimitFor('POST', '/v1/refunds', limits)).toBeUndefined();
  });
});

// a budget on a fake clock: sleeping moves the clock, by `overrunMs()` more than asked
function onFakeClock(store: SlotStore, clock: { now: number }, extra: Partial<ScheduledBudgetOptions> = {}, overrunMs = () => 0) {
  return new ScheduledRequestBudget(store, {
    name: 'stripe',
    ratePerSecond: 10,
    slackMs: 40,
    now: () => clock.now,
    sleep: async (ms) => {
      clock.now += ms + overrunMs();
    },
    ...extra,
  });
}

describe('ScheduledRequestBudget', () => {
  it('paces callers in this process at the rate', async () => {
    const budget = new ScheduledRequestBudget(new LocalSlotStore(), { name: 'stripe', ratePerSecond: 20, slackMs: 10 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 11 }, () => budget.take()));
    // 11 slots 50.5 ms apart: the last one about 505 ms after the first
    expect(performance.now() - started).toBeGreaterThanOrEqual(480);
  });

  it('callers of a busy endpoint in one process ask the store one at a time, in order', async () => {
    const clock = { now: 0 };
    let inFlight = 0;
    let most = 0;
    let refusals = 3;
    const store: SlotStore = {
      reserve: async () => {
        most = Math.max(most, ++inFlight);
        await Promise.resolve();
        inFlight--;
        return refusals-- > 0 ? { granted: false, retryInMs: 50 } : { granted: true, atMs: clock.now };
      },
    };
    const budget = onFakeClock(store, clock);
    const order: number[] = [];
    const transfers = { method: 'POST', path: '/v1/transfers', ratePerSecond: 5 };
    await Promise.all(Array.from({ length: 5 }, (_, i) => budget.take(transfers).then(() => order.push(i))));
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(budget.counts).toMatchObject({ taken: 5, refused: 3 });
  });

  it('review5: never sends before its slot when a timer fires early (Node timers can, by a millisecond or more)', async () => {
    const clock = { now: 0 };
    const store: SlotStore = { reserve: async () => ({ granted: true, atMs: clock.now + 100 }) };
    // a sleep longer than 2 ms wakes 2 ms before it was asked to (the event loop's cached time was stale)
    const budget = onFakeClock(store, clock, {
      sleep: async (ms) => {
        clock.now += ms > 2 ? ms - 2 : ms;
      },
    });
    await budget.take();
    expect(clock.now).toBeGreaterThanOrEqual(100);
  });

  it('gives up a slot it woke up too late for and takes a new one', async () => {
    const clock = { now: 0 };
    const reserved: number[] = [];
    const store: SlotStore = {
      reserve: async () => {
        reserved.push(clock.now);
        return { granted: true, atMs: clock.now + 10 };
      },
    };
    let stalls = 1;
    // the first sleep overruns by 100 ms (a stalled process)
    const budget = onFakeClock(store, clock, {}, () => (stalls-- > 0 ? 100 : 0));
    await budget.take();
    expect(reserved).toEqual([0, 110]);
  });

  it('when every slot arrives late (a loaded process, a slow database), sends on a late one after MAX_LATE_SLOTS instead of failing the call', async () => {
    const clock = { now: 0 };
    let reserves = 0;
    // the store answers 50 ms after the slot it granted: every slot is late on arrival
    const store: SlotStore = {
      reserve: async () => {
        reserves++;
        const at = clock.now;
        clock.now += 50;
        return { granted: true, atMs: at };
      },
    };
    const warnings: object[] = [];
    const budget = onFakeClock(store, clock, { logger: { warn: (o) => warnings.push(o) } });
    await expect(budget.take()).resolves.toBeUndefined();
    expect(reserves).toBe(MAX_LATE_SLOTS);
    expect(budget.counts).toMatchObject({ taken: 0, missed: MAX_LATE_SLOTS, sentLate: 1 });
    expect(warnings).toEqual([expect.objectContaining({ sentLate: 1, lateMs: 50 })]);
  });

  it('retries a failing store with backoff, never sends without a slot, and gives up with STRIPE.UNAVAILABLE', async () => {
    const clock = { now: 0 };
    let calls = 0;
    const store: SlotStore = {
      reserve: async () => {
        calls++;
        throw new Error('connection refused');
      },
    };
    const warnings: object[] = [];
    const budget = onFakeClock(store, clock, { unavailableAfterMs: 5_000, logger: { warn: (o) => warnings.push(o) } });
    const error = await budget.take().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeGatewayError);
    expect((error as StripeGatewayError).code).toBe('STRIPE.UNAVAILABLE');
    expect(calls).toBeGreaterThan(3);
    expect(clock.now).toBeGreaterThanOrEqual(5_000);
    expect(warnings.at(-1)).toMatchObject({ willRetry: false });
  });

  it('recovers when the store answers again', async () => {
    const clock = { now: 0 };
    let failures = 2;
    const store: SlotStore = {
      reserve: async () => {
        if (failures-- > 0) throw new Error('the database is restarting');
        return { granted: true, atMs: clock.now };
      },
    };
    const budget = onFakeClock(store, clock);
    await expect(budget.take()).resolves.toBeUndefined();
  });
});
