import { Module, type DynamicModule } from '@nestjs/common';
import { createStripeClient } from './stripe-client.js';
import { StripeGateway, type GatewayLogger } from './stripe-gateway.js';
import { StripeConfig } from './stripe.config.js';
import { TokenBucket } from './token-bucket.js';

/** Provides the one StripeGateway of the process (and its request budget) to every module. */
@Module({})
export class StripeModule {
  static forRoot(config: StripeConfig, logger: GatewayLogger): DynamicModule {
    const budget = new TokenBucket(config.requestsPerSecond);
    const gateway = new StripeGateway(createStripeClient(config), config, budget, logger);
    return {
      module: StripeModule,
      global: true,
      providers: [
        { provide: StripeConfig, useValue: config },
        { provide: StripeGateway, useValue: gateway },
      ],
      exports: [StripeConfig, StripeGateway],
    };
  }
}
