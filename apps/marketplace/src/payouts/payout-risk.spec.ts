import fc from 'fast-check';
import { holdLimitDays } from './payout-hold-limits.js';
import { PayoutRiskConfig } from './payout-risk.config.js';
import { payoutRiskFlags, riskThresholdsOf, twiceMedian, type PayoutRiskFacts } from './payout-risk.js';

const DAY = 86_400_000;
const now = new Date('2026-06-01T12:00:00Z');
const t = riskThresholdsOf(new PayoutRiskConfig());

// a seller nothing is wrong with: a year old, five paid payouts around USD 100, clean history
const calm: PayoutRiskFacts = {
  now,
  stripeNow: now,
  amount: 10_000n,
  currency: 'USD',
  accountCreatedAt: new Date(now.getTime() - 365 * DAY),
  country: 'DE',
  payoutsEnabled: true,
  pastDue: [],
  disabledReason: null,
  paidPayouts: [9_000n, 10_000n, 11_000n, 10_500n, 9_500n],
  openDisputes: [],
  paidOrders: 100,
  refundedOrders: 1,
  disputedOrders: 0,
  oldestUnpaidAvailableSince: new Date(now.getTime() - 5 * DAY),
};
const codes = (f: Partial<PayoutRiskFacts>) => payoutRiskFlags({ ...calm, ...f }, t).map((x) => x.code);

describe('payoutRiskFlags', () => {
  it('raises nothing for a calm seller', () => {
    expect(payoutRiskFlags(calm, t)).toEqual([]);
  });

  it('a new seller: younger than PAYOUT_RISK_NEW_SELLER_DAYS', () => {
    const [flag] = payoutRiskFlags({ ...calm, accountCreatedAt: new Date(now.getTime() - 3 * DAY) }, t);
    expect(flag).toEqual({ code: 'new_seller', reason: "The seller's connected account is 3 day(s) old, younger than 30 days" });
    expect(codes({ accountCreatedAt: new Date(now.getTime() - 30 * DAY) })).toEqual([]);
  });

  it('an amount far above the median: at the multiple it fires, one unit below it does not', () => {
    // median of the five is 10_000; 3x = 30_000
    expect(payoutRiskFlags({ ...calm, amount: 30_000n }, t)).toEqual([
      { code: 'amount_above_median', reason: "USD 300.00 is at least 3 times the seller's median paid payout of USD 100.00 (over 5 payouts)" },
    ]);
    expect(codes({ amount: 29_999n })).toEqual([]);
    // too little history: no median to compare with
    expect(codes({ amount: 1_000_000n, paidPayouts: [100n, 100n] })).toEqual([]);
  });

  it('an open dispute or inquiry, named', () => {
    const flags = payoutRiskFlags({ ...calm, openDisputes: [{ stripeDisputeId: 'dp_1', status: 'warning_needs_response' }] }, t);
    expect(flags).toEqual([{ code: 'open_dispute', reason: '1 dispute(s) or inquiry(ies) open: dp_1 (warning_needs_response)' }]);
  });

  it('refund and dispute rates in basis points, at the threshold and only with enough orders', () => {
    expect(payoutRiskFlags({ ...calm, refundedOrders: 10 }, t)).toEqual([{ code: 'refund_rate', reason: '10 of 100 orders paid in the last 90 days were refunded (1000 bps), at or above 1000 bps' }]);
    expect(codes({ refundedOrders: 9 })).toEqual([]);
    expect(codes({ disputedOrders: 1, paidOrders: 100 })).toEqual(['dispute_rate']); // 100 bps >= 75
    expect(codes({ disputedOrders: 3, refundedOrders: 4, paidOrders: 4 })).toEqual([]); // below PAYOUT_RISK_RATE_MIN_ORDERS
  });

  it('a restricted account: requirements past due, payouts disabled', () => {
    const [flag] = payoutRiskFlags({ ...calm, pastDue: ['external_account'], payoutsEnabled: false, disabledReason: 'requirements.past_due' }, t);
    expect(flag).toEqual({
      code: 'restricted_account',
      reason: "The account is restricted: requirements past due: external_account; payouts are disabled on the connected account; Stripe's disabled reason: requirements.past_due",
    });
  });

  it("funds near Stripe's hold limit, by country: 90 days by default, 10 in Thailand, 2 years in the US", () => {
    const since = (days: number) => new Date(now.getTime() - days * DAY);
    expect(codes({ oldestUnpaidAvailableSince: since(83) })).toEqual(['hold_limit']); // 7 days left
    expect(codes({ oldestUnpaidAvailableSince: since(82) })).toEqual([]);
    expect(codes({ country: 'TH', oldestUnpaidAvailableSince: since(3) })).toEqual(['hold_limit']);
    expect(codes({ country: 'US', oldestUnpaidAvailableSince: since(365) })).toEqual([]);
    const [past] = payoutRiskFlags({ ...calm, oldestUnpaidAvailableSince: since(95) }, t);
    expect(past!.reason).toBe("Funds available since 2026-02-26 are past the hold limit (2026-05-27): Stripe's manual-payout limit for DE is 90 days");
    expect(codes({ oldestUnpaidAvailableSince: null })).toEqual([]);
  });

  it('property: the rate flags fire exactly when part x 10000 >= bps x whole, with enough orders', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (paid, refundedRaw, bpsThreshold) => {
        const refunded = Math.min(refundedRaw, paid);
        const fired = payoutRiskFlags({ ...calm, paidOrders: paid, refundedOrders: refunded, disputedOrders: 0 }, { ...t, refundRateBps: bpsThreshold }).some((f) => f.code === 'refund_rate');
        // the exact rule, in rationals: refunded / paid >= bps / 10000
        expect(fired).toBe(paid >= t.rateMinOrders && refunded * 10_000 >= bpsThreshold * paid);
      }),
    );
  });

  it('property: the median flag fires exactly when amount >= multiple x median, and raising the amount never clears it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 3, maxLength: 20 }),
        fc.bigInt({ min: 1n, max: 10n ** 13n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 10 }),
        (paid, amount, more, multiple) => {
          const th = { ...t, medianMultiple: multiple };
          const fires = (a: bigint) => payoutRiskFlags({ ...calm, amount: a, paidPayouts: paid }, th).some((f) => f.code === 'amount_above_median');
          const sorted = [...paid].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          const n = sorted.length;
          // the median as a fraction num/2
          const num = n % 2 ? 2n * sorted[(n - 1) / 2]! : sorted[n / 2 - 1]! + sorted[n / 2]!;
          expect(fires(amount)).toBe(2n * amount >= BigInt(multiple) * num);
          if (fires(amount)) expect(fires(amount + more)).toBe(true);
        },
      ),
    );
  });

  it('property: the hold-limit flag fires exactly when the oldest unpaid funds are within the warning of their country limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 800 * 24 }), fc.constantFrom('DE', 'TH', 'US', null), fc.integer({ min: 0, max: 30 }), (hoursAgo, country, warn) => {
        const since = new Date(now.getTime() - hoursAgo * 3_600_000);
        const fired = payoutRiskFlags({ ...calm, country, oldestUnpaidAvailableSince: since }, { ...t, holdLimitWarnDays: warn }).some((f) => f.code === 'hold_limit');
        const leftMs = since.getTime() + holdLimitDays(country) * DAY - now.getTime();
        expect(fired).toBe(Math.floor(leftMs / DAY) <= warn);
      }),
    );
  });

  it('property: every flag says why in words, once per kind', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.boolean(), fc.integer({ min: 0, max: 400 }), (orders, bad, enabled, age) => {
        const flags = payoutRiskFlags(
          {
            ...calm,
            accountCreatedAt: new Date(now.getTime() - age * DAY),
            paidOrders: orders,
            refundedOrders: Math.min(bad, orders),
            disputedOrders: Math.min(bad, orders),
            payoutsEnabled: enabled,
            oldestUnpaidAvailableSince: new Date(now.getTime() - age * DAY),
          },
          t,
        );
        expect(new Set(flags.map((f) => f.code)).size).toBe(flags.length);
        for (const f of flags) expect(f.reason.length).toBeGreaterThan(10);
      }),
    );
  });
});

describe('twiceMedian', () => {
  it('is twice the middle value, or the sum of the two middle ones', () => {
    expect(twiceMedian([])).toBeNull();
    expect(twiceMedian([5n, 1n, 3n])).toBe(6n);
    expect(twiceMedian([4n, 1n, 3n, 10n])).toBe(7n);
  });
});
