import { Module } from '@nestjs/common';
import { DatabaseGauges } from './database-gauges.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsRegistry } from './metrics-registry.js';
import { StripeCounters } from './stripe-counters.js';

/** GET /metrics (admin key) in Prometheus format; bootstrap mounts the HTTP histogram's middleware. */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: MetricsRegistry, useFactory: () => new MetricsRegistry() }, DatabaseGauges, StripeCounters],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
