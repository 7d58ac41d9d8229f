import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { FeePolicyService } from './fee-policy.service.js';
import { FeesAdminController } from './fees.admin.controller.js';
import { FeesConfig } from './fees.config.js';
import { SellerFeePolicy } from './seller-fee-policy.entity.js';

/** Application-fee policy: the platform default (FeesConfig) and admins' per-seller overrides. Exports FeePolicyService (quote). */
@Module({})
export class FeesModule {
  static register(config: FeesConfig): DynamicModule {
    return {
      module: FeesModule,
      global: true, // registered once in AppModule with its config; inject FeePolicyService anywhere
      imports: [TypeOrmModule.forFeature([SellerFeePolicy]), IdentityModule],
      controllers: [FeesAdminController],
      providers: [{ provide: FeesConfig, useValue: config }, FeePolicyService],
      exports: [FeePolicyService],
    };
  }
}
