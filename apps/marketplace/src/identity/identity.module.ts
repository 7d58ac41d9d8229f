import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthGuard } from './auth.guard.js';
import { IdentityController } from './identity.controller.js';
import { Principal } from './principal.entity.js';
import { PrincipalsService } from './principals.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Principal, ApiKey])],
  controllers: [IdentityController],
  providers: [PrincipalsService, ApiKeysService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [PrincipalsService, ApiKeysService],
})
export class IdentityModule {}
