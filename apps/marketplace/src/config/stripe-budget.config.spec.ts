import { StripeConfig } from '@app/stripe';
import { ConfigError, validateEnv } from './validate-env.js';

describe('StripeConfig: the request budget', () => {
  it('defaults to Stripe limits: 25/s in test mode (100/s live), 25/s for transfers, for reversals and for payouts, 40 ms slack', () => {
    const test = validateEnv(StripeConfig, { STRIPE_API_BASE: 'http://127.0.0.1:12111' });
    expect(test.requestsPerSecond).toBe(25);
    expect(test.STRIPE_REQUEST_BUDGET_SLACK_MS).toBe(40);
    expect(test.endpointLimits).toEqual([
      { method: 'POST', path: '/v1/transfers', ratePerSecond: 25 },
      { method: 'POST', path: '/v1/transfers/*/reversals', ratePerSecond: 25 },
      { method: 'POST', path: '/v1/payouts', ratePerSecond: 25 },
    ]);
    expect(validateEnv(StripeConfig, { STRIPE_SECRET_KEY: 'sk_live_abc' }).requestsPerSecond).toBe(100);
    expect(validateEnv(StripeConfig, { STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_TRANSFERS_PER_SECOND: '10' }).endpointLimits.map((l) => l.ratePerSecond)).toEqual([10, 10, 25]);
  });

  it.each([
    ['STRIPE_TRANSFERS_PER_SECOND', '0'],
    ['STRIPE_TRANSFERS_PER_SECOND', 'fast'],
    ['STRIPE_REQUEST_BUDGET_SLACK_MS', '5'],
    ['STRIPE_REQUEST_BUDGET_SLACK_MS', '1000'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const attempt = () => validateEnv(StripeConfig, { STRIPE_API_BASE: 'http://127.0.0.1:12111', [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(name);
  });
});
