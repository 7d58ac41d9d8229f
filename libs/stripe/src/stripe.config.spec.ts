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
