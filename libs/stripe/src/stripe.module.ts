import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { LocalSlotStore, ScheduledRequestBudget, type RequestBudget, type SlotStore } from './request-budget.js';
import { createStripeClient } from './stripe-client.js';
import { StripeGateway, type GatewayLogger } from './stripe-gateway.js';
import { StripeConfig } from './stripe.config.js';

const SLOT_STORE = Symbol('SLOT_STORE');

/**
 * The gateway reconciliation reads Stripe with: only GET requests. Today the process's own
 * gateway; with STRIPE_RECONCILIATION_KEY a restricted, read-only key's (same request budget).
 */
export const RECONCILIATION_GATEWAY = Symbol('RECONCILIATION_GATEWAY');

/** The process's one request budget (its counts feed the metrics). */
export const STRIPE_REQUEST_BUDGET = Symbol('STRIPE_REQUEST_BUDGET');

/** The request budget of a gateway: slots from `store` (shared, e.g. PostgreSQL), or this process's own. */
export function createRequestBudget(config: StripeConfig, store: SlotStore, logger?: GatewayLogger): ScheduledRequestBudget {
  return new ScheduledRequestBudget(store, { name: 'stripe', ratePerSecond: config.requestsPerSecond, slackMs: config.STRIPE_REQUEST_BUDGET_SLACK_MS, logger });
}

export function createStripeGateway(config: StripeConfig, store: SlotStore, logger: GatewayLogger, budget: RequestBudget = createRequestBudget(config, store, logger)): StripeGateway {
  return new StripeGateway(createStripeClient(config), config, budget, logger);
}

/**
 * The gateway reconciliation reads with: with STRIPE_RECONCILIATION_KEY a gateway of its own on
 * that key, taking its slots from `main`'s request budget (one account, one Stripe rate limit);
 * else `main` itself.
 */
export function createReconciliationGateway(config: StripeConfig, main: StripeGateway, budget: RequestBudget, logger: GatewayLogger): StripeGateway {
  if (!config.STRIPE_RECONCILIATION_KEY) return main;
  return new StripeGateway(createStripeClient(config, config.STRIPE_RECONCILIATION_KEY), config, budget, logger);
}

@Injectable()
class SlotStoreShutdown implements OnApplicationShutdown {
  constructor(@Inject(SLOT_STORE) private readonly store: SlotStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}

/**
 * Provides the one StripeGateway of the process to every module. `slots` is where the request
 * budget lives: the app passes PostgreSQL's, shared by every instance; without it the budget is
 * this process's alone.
 */
@Module({})
export class StripeModule {
  static forRoot(config: StripeConfig, logger: GatewayLogger, slots: SlotStore = new LocalSlotStore()): DynamicModule {
    const budget = createRequestBudget(config, slots, logger);
    const gateway = createStripeGateway(config, slots, logger, budget);
    return {
      module: StripeModule,
      global: true,
      providers: [
        { provide: StripeConfig, useValue: config },
        { provide: StripeGateway, useValue: gateway },
        { provide: RECONCILIATION_GATEWAY, useValue: createReconciliationGateway(config, gateway, budget, logger) },
        { provide: SLOT_STORE, useValue: slots },
        { provide: STRIPE_REQUEST_BUDGET, useValue: budget },
        SlotStoreShutdown,
      ],
      exports: [StripeConfig, StripeGateway, RECONCILIATION_GATEWAY, STRIPE_REQUEST_BUDGET],
    };
  }
}
