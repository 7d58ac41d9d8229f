import { plainToInstance } from 'class-transformer';
import type { RequestBudget } from './request-budget.js';
import { StripeGatewayError } from './stripe-gateway.error.js';
import { createReconciliationGateway, createStripeGateway } from './stripe.module.js';
import { StripeConfig } from './stripe.config.js';
import { LocalSlotStore } from './request-budget.js';

const logger = { info: () => {}, warn: () => {} };
// nothing listens on port 9: every call fails at once, after taking its slot
const configOf = (env: Record<string, string>) =>
  plainToInstance(StripeConfig, { STRIPE_API_BASE: 'http://127.0.0.1:9', STRIPE_MAX_RETRIES: '0', ...env }, { exposeDefaultValues: true, excludeExtraneousValues: true });

class CountingBudget implements RequestBudget {
  taken = 0;
  async take(): Promise<void> {
    this.taken++;
  }
}

describe('createReconciliationGateway', () => {
  it('is the main gateway when STRIPE_RECONCILIATION_KEY is unset', () => {
    const config = configOf({});
    const budget = new CountingBudget();
    const main = createStripeGateway(config, new LocalSlotStore(), logger, budget);
    expect(createReconciliationGateway(config, main, budget, logger)).toBe(main);
  });

  it('with the key, a gateway of its own taking its slots from the budget it is given (the main one)', async () => {
    const config = configOf({ STRIPE_RECONCILIATION_KEY: 'rk_test_reader' });
    const budget = new CountingBudget();
    const main = createStripeGateway(config, new LocalSlotStore(), logger, budget);
    const reader = createReconciliationGateway(config, main, budget, logger);
    expect(reader).not.toBe(main);
    await expect(reader.retrieveBalance()).rejects.toBeInstanceOf(StripeGatewayError);
    await expect(main.retrieveBalance()).rejects.toBeInstanceOf(StripeGatewayError);
    expect(budget.taken).toBe(2);
  });
});
