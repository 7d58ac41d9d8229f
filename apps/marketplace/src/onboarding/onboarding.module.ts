import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ManualPayoutSchedules } from '../payouts/manual-payout-schedules.service.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { ConnectedAccountsService } from './connected-accounts.service.js';
import { OnboardingLinksService } from './onboarding-links.service.js';
import { OnboardingPagesController } from './onboarding-pages.controller.js';
import { PayoutFreezes } from './payout-freezes.js';
import { OnboardingConfig, SellerRole } from './onboarding.config.js';
import { SellerAccountEventsHandler } from './seller-account-events.handler.js';
import { SellerAccountThinEventsHandler } from './seller-account-thin-events.handler.js';
import { SellerAccount } from './seller-account.entity.js';
import { SellerAccountsService } from './seller-accounts.service.js';
import { SellerGate } from './seller-gate.service.js';
import { SellersController } from './sellers.controller.js';

/** Sellers <-> connected accounts: creation, hosted onboarding, requirements tracking, the payment gate. */
@Module({})
export class OnboardingModule {
  /** `merchantOfRecord`: charges go on_behalf_of the seller (CHECKOUT_ON_BEHALF_OF), so v2 accounts get the merchant configuration. */
  static register(config: OnboardingConfig, merchantOfRecord = false): DynamicModule {
    return {
      module: OnboardingModule,
      global: true, // SellerGate and PayoutFreezes are asked by payments, transfers and payouts; ManualPayoutSchedules by the payouts worker
      imports: [TypeOrmModule.forFeature([SellerAccount]), WebhooksModule],
      controllers: [SellersController, OnboardingPagesController],
      providers: [
        { provide: OnboardingConfig, useValue: config },
        { provide: SellerRole, useValue: new SellerRole(merchantOfRecord) },
        SellerAccountsService,
        ConnectedAccountsService,
        OnboardingLinksService,
        SellerGate,
        PayoutFreezes,
        SellerAccountEventsHandler,
        SellerAccountThinEventsHandler,
        ManualPayoutSchedules,
      ],
      exports: [SellerGate, PayoutFreezes, ManualPayoutSchedules],
    };
  }
}
