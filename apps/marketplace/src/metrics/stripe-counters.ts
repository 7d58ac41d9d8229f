import { Inject, Injectable } from '@nestjs/common';
import { RECONCILIATION_GATEWAY, STRIPE_REQUEST_BUDGET, StripeConfig, StripeGateway, endpointLaneName, type ScheduledRequestBudget } from '@app/stripe';
import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from './metrics-registry.js';

/**
 * The Stripe request budget: requests sent through it per lane (the global `stripe` lane and each
 * endpoint's), the configured rates beside them, and the 429s Stripe answered. This process's counts
 * (sum them over instances: the budget itself is shared).
 */
@Injectable()
export class StripeCounters {
  constructor(
    metrics: MetricsRegistry,
    @Inject(STRIPE_REQUEST_BUDGET) budget: ScheduledRequestBudget,
    config: StripeConfig,
    gateway: StripeGateway,
    @Inject(RECONCILIATION_GATEWAY) reconciliationGateway: StripeGateway,
  ) {
    const gateways = [...new Set([gateway, reconciliationGateway])];
    new Counter({
      name: 'marketplace_stripe_requests_total',
      help: 'Requests to Stripe sent through the request budget (retries included), by lane: "stripe" (every request) and each endpoint with its own limit',
      labelNames: ['lane'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [lane, sent] of budget.sentByLane) this.inc({ lane }, sent);
      },
    });
    new Gauge({
      name: 'marketplace_stripe_request_budget_per_second',
      help: 'The request budget to Stripe per lane (requests per second), shared by every instance on the database',
      labelNames: ['lane'] as const,
      registers: [metrics.registry],
      collect() {
        this.set({ lane: 'stripe' }, config.requestsPerSecond);
        for (const limit of config.endpointLimits) this.set({ lane: endpointLaneName(limit) }, limit.ratePerSecond);
      },
    });
    new Counter({
      name: 'marketplace_stripe_rate_limited_total',
      help: 'Responses 429 (rate limited) from Stripe',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(gateways.reduce((sum, g) => sum + g.responses.rateLimited, 0));
      },
    });
  }
}
