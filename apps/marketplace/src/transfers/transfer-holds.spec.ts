import { holdEnd } from './order-transfers.planner.js';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfiguration } from '../config/configuration.js';
import { ConfigError } from '../config/validate-env.js';
import { TransferHoldsService } from './transfer-holds.service.js';
import type { TransfersConfig } from './transfers.config.js';

const STRIPE = { STRIPE_SECRET_KEY: 'sk_test_123' };
const configWith = (env: Record<string, string>): TransfersConfig => loadConfiguration({ ...STRIPE, ...env }).transfers;
const holdsWith = (env: Record<string, string>) => new TransferHoldsService(null as unknown as DataSource, configWith(env), null as unknown as Logger);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; details: unknown };
  }
  throw new Error('not refused');
};

describe('TransferHoldsService.holdDaysFor', () => {
  const holds = holdsWith({ TRANSFERS_HOLD_DAYS: '7', TRANSFERS_HOLD_MAX_DAYS: '30' });

  it("a multi-seller cart: the checkout's holdDays within bounds, else the platform's", () => {
    expect(holds.holdDaysFor(undefined, 2)).toBe(7);
    expect(holds.holdDaysFor(0, 2)).toBe(0);
    expect(holds.holdDaysFor(30, 3)).toBe(30);
  });

  it('above TRANSFERS_HOLD_MAX_DAYS: CHECKOUT.HOLD_OUT_OF_BOUNDS with the bounds', () => {
    expect(refusal(() => holds.holdDaysFor(31, 2))).toMatchObject({ code: 'CHECKOUT.HOLD_OUT_OF_BOUNDS', details: { holdDays: 31, min: 0, max: 30 } });
  });

  it('a one-seller cart (a destination charge) is never held: a hold asked for is refused, the platform default does not apply', () => {
    expect(refusal(() => holds.holdDaysFor(1, 1))).toMatchObject({ code: 'CHECKOUT.HOLD_NOT_SUPPORTED', details: { sellers: 1, holdDays: 1 } });
    expect(holds.holdDaysFor(undefined, 1)).toBe(0);
    expect(holds.holdDaysFor(0, 1)).toBe(0);
  });
});

describe('the hold settings at boot', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfiguration({ ...STRIPE, ...env });
      return [];
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
  };

  it("refuse a maximum beyond Stripe's 90 days and a default above the maximum, naming the variable", () => {
    expect(problemsOf({ TRANSFERS_HOLD_MAX_DAYS: '91' })).toEqual([expect.stringContaining('TRANSFERS_HOLD_MAX_DAYS')]);
    expect(problemsOf({ TRANSFERS_HOLD_DAYS: '40' })).toEqual([expect.stringMatching(/^TRANSFERS_HOLD_DAYS \(got "40"\): must not exceed TRANSFERS_HOLD_MAX_DAYS \(30\)/)]);
    expect(problemsOf({ TRANSFERS_HOLD_DAYS: '90', TRANSFERS_HOLD_MAX_DAYS: '90', TRANSFERS_AUTO_RELEASE_DAYS: '0' })).toEqual([]);
  });
});

describe('holdEnd', () => {
  const created = new Date('2026-01-10T12:00:00.000Z');
  it("counts from the charge's created", () => {
    expect(holdEnd(created, 20).toISOString()).toBe('2026-01-30T12:00:00.000Z');
  });
  it('never past created + 90 days (Stripe holds funds for a connected account at most 90 days outside the US)', () => {
    expect(holdEnd(created, 120).getTime()).toBe(created.getTime() + 90 * 86_400_000);
  });
});
