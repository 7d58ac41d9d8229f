import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { endpointLimitFor } from './request-budget.js';
import { StripeConfig } from './stripe.config.js';

const configOf = (env: Record<string, string>) => {
  const config = plainToInstance(StripeConfig, { STRIPE_API_BASE: 'http://127.0.0.1:12111', ...env }, { exposeDefaultValues: true, excludeExtraneousValues: true });
  expect(validateSync(config)).toEqual([]);
  return config;
};

describe('StripeConfig.endpointLimits: payouts', () => {
  it('POST /v1/payouts has its own budget, 25/s by default (Stripe documents no payout limit of its own: the default per endpoint)', () => {
    const limits = configOf({}).endpointLimits;
    expect(endpointLimitFor('POST', '/v1/payouts', limits)?.ratePerSecond).toBe(25);
    // reads and other payout operations take only the global budget
    expect(endpointLimitFor('GET', '/v1/payouts', limits)).toBeUndefined();
    expect(endpointLimitFor('POST', '/v1/payouts/po_123/cancel', limits)).toBeUndefined();
  });

  it('STRIPE_PAYOUTS_PER_SECOND sets it, apart from the transfers budget', () => {
    const limits = configOf({ STRIPE_PAYOUTS_PER_SECOND: '7', STRIPE_TRANSFERS_PER_SECOND: '40' }).endpointLimits;
    expect(endpointLimitFor('POST', '/v1/payouts', limits)?.ratePerSecond).toBe(7);
    expect(endpointLimitFor('POST', '/v1/transfers', limits)?.ratePerSecond).toBe(40);
  });
});

describe('StripeConfig: STRIPE_RECONCILIATION_KEY', () => {
  const build = (env: Record<string, string>) => plainToInstance(StripeConfig, env, { exposeDefaultValues: true, excludeExtraneousValues: true });
  const failing = (env: Record<string, string>) => validateSync(build(env)).map((e) => e.property);

  it('is optional: reconciliation reads with the main key when unset', () => {
    const config = configOf({ STRIPE_SECRET_KEY: 'sk_test_main' });
    expect(config.STRIPE_RECONCILIATION_KEY).toBeUndefined();
    expect(config.reconciliationKey).toBe('sk_test_main');
    expect(config.problems()).toEqual([]);
  });

  it('takes a restricted key (or a secret key) of the main key mode', () => {
    expect(configOf({ STRIPE_SECRET_KEY: 'sk_test_main', STRIPE_RECONCILIATION_KEY: 'rk_test_reader' }).reconciliationKey).toBe('rk_test_reader');
    expect(configOf({ STRIPE_SECRET_KEY: 'sk_test_main', STRIPE_RECONCILIATION_KEY: 'sk_test_other' }).problems()).toEqual([]);
    const live = build({ STRIPE_SECRET_KEY: 'sk_live_main', STRIPE_RECONCILIATION_KEY: 'rk_live_reader' });
    expect(validateSync(live)).toEqual([]);
    expect(live.problems()).toEqual([]);
    // the sandbox's default key is test mode
    expect(configOf({ STRIPE_RECONCILIATION_KEY: 'rk_test_reader' }).problems()).toEqual([]);
  });

  it('refuses what is not an rk_/sk_ key, naming the variable', () => {
    for (const bad of ['pk_test_publishable', 'rk_prod_x', 'whsec_abc', 'rk_test_'])
      expect(failing({ STRIPE_SECRET_KEY: 'sk_test_main', STRIPE_RECONCILIATION_KEY: bad })).toEqual(['STRIPE_RECONCILIATION_KEY']);
  });

  it('refuses a key of the other mode, without showing its value', () => {
    const testWithLive = configOf({ STRIPE_SECRET_KEY: 'sk_test_main', STRIPE_RECONCILIATION_KEY: 'rk_live_readerSecretValue' }).problems();
    expect(testWithLive).toHaveLength(1);
    expect(testWithLive[0]).toMatch(/^STRIPE_RECONCILIATION_KEY .*test-mode/);
    expect(testWithLive[0]).not.toContain('readerSecretValue');
    const liveWithTest = build({ STRIPE_SECRET_KEY: 'sk_live_main', STRIPE_RECONCILIATION_KEY: 'rk_test_reader' });
    expect(liveWithTest.problems()).toEqual([expect.stringMatching(/^STRIPE_RECONCILIATION_KEY .*live-mode/)]);
  });
});
