import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { requestContext } from '../common/request-context.js';
import { ApiKeysService } from './api-keys.service.js';
import { IS_PUBLIC, REQUIRED_ROLES, type AuthenticatedRequest } from './auth.decorators.js';
import { IdentityErrors } from './identity.errors.js';
import type { PrincipalRole } from './principal.entity.js';

/** Every route needs a live API key unless marked @Public(); @Roles() then narrows who may call it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    if (!header) throw IdentityErrors.missingKey();
    const match = /^Bearer ([^\s]+)$/.exec(header);
    if (!match) throw IdentityErrors.malformedKey();
    const principal = await this.apiKeys.authenticate(match[1]!);
    if (!principal) throw IdentityErrors.invalidKey();
    req.principal = principal;
    const ctx = requestContext.get();
    if (ctx) ctx.principalId = principal.id;

    const roles = this.reflector.getAllAndOverride<PrincipalRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) throw IdentityErrors.wrongRole(roles);
    return true;
  }
}
