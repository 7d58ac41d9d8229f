import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PgSlotStore } from '@app/database';
import { StripeModule } from '@app/stripe';
import type { Logger } from 'pino';
import { dataSourceOptions } from '../../../migrations/data-source.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { ROOT_LOGGER } from './common/logger.js';
import { AppConfig } from './config/app.config.js';
import type { Configuration } from './config/configuration.js';
import { FeesModule } from './fees/fees.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { ListingsModule } from './listings/listings.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OnboardingModule } from './onboarding/onboarding.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { PayoutRequestsConfig } from './payouts/payout-requests.config.js';
import { PayoutRiskConfig } from './payouts/payout-risk.config.js';
import { PayoutsConfig } from './payouts/payouts.config.js';
import { PayoutsModule } from './payouts/payouts.module.js';
import { RateLimitsModule } from './rate-limits/rate-limits.module.js';
import { ReconciliationConfig } from './reconciliation/reconciliation.config.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { TransfersModule } from './transfers/transfers.module.js';
import { WebhooksConfig } from './webhooks/webhooks.config.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

export interface AppModuleOptions {
  configuration: Configuration;
  databaseUrl: string;
  logger: Logger;
  /** Extra modules (tests register fixture handlers this way). */
  imports?: ModuleMetadata['imports'];
}

@Module({})
export class AppModule {
  static register({ configuration, databaseUrl, logger, imports = [] }: AppModuleOptions): DynamicModule {
    const { app, stripe, webhooks } = configuration;
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, { poolSize: app.DATABASE_POOL_SIZE, poolTimeoutMs: app.DATABASE_POOL_TIMEOUT_MS, applicationName: `marketplace:${app.INSTANCE_NAME}` }),
          migrationsRun: false,
        }),
        // one request budget for every api and worker instance on this database
        StripeModule.forRoot(stripe, logger.child({ component: 'stripe' }), new PgSlotStore(databaseUrl, { applicationName: `marketplace:${app.INSTANCE_NAME}:stripe-budget` })),
        ScheduleModule.forRoot(),
        RateLimitsModule.register(configuration.rateLimits),
        IdempotencyModule,
        HealthModule,
        IdentityModule,
        WebhooksModule,
        LedgerModule,
        FeesModule.register(configuration.fees),
        ListingsModule,
        OnboardingModule.register(configuration.onboarding, configuration.payments.CHECKOUT_ON_BEHALF_OF),
        TransfersModule.register(configuration.transfers),
        PaymentsModule.register(configuration.payments),
        PayoutsModule,
        ReconciliationModule,
        MetricsModule,
        ...imports,
      ],
      providers: [
        { provide: AppConfig, useValue: app },
        { provide: WebhooksConfig, useValue: webhooks },
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: PayoutsConfig, useValue: configuration.payouts },
        { provide: PayoutRequestsConfig, useValue: configuration.payoutRequests },
        { provide: PayoutRiskConfig, useValue: configuration.payoutRisk },
        { provide: ReconciliationConfig, useValue: configuration.reconciliation },
      ],
      exports: [AppConfig, WebhooksConfig, ROOT_LOGGER, PayoutsConfig, PayoutRequestsConfig, PayoutRiskConfig, ReconciliationConfig],
    };
  }
}
