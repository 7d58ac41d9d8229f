import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { requestContext } from '../common/request-context.js';
import { AuthFailureLimiter } from '../rate-limits/auth-failure-limiter.js';
import { ApiKeysService } from './api-keys.service.js';
import { IS_PUBLIC, REQUIRED_ROLES, type AuthenticatedRequest } from './auth.decorators.js';
import { IdentityErrors } from './identity.errors.js';
import type { Principal, PrincipalRole } from './principal.entity.js';

/**
 * Every route needs a live API key unless marked @Public(); @Roles() then narrows who may call it.
 * An address with too many failed authentications is refused 429 before its key is looked at.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly authFailures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    await this.authFailures.refuseIfBlocked(address);
    let principal: Principal;
    try {
      principal = await this.authenticate(req.headers.authorization);
    } catch (error) {
      // a refused key counts; a database that did not answer (503) does not
      if (error instanceof DomainError && error.kind === 'unauthenticated') await this.authFailures.recordFailure(address);
      throw error;
    }
    req.principal = principal;
    const ctx = requestContext.get();
    if (ctx) ctx.principalId = principal.id;

    const roles = this.reflector.getAllAndOverride<PrincipalRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.includes(principal.role)) throw IdentityErrors.wrongRole(roles);
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) throw IdentityErrors.missingKey();
    const match = /^Bearer ([^\s]+)$/.exec(header);
    if (!match) throw IdentityErrors.malformedKey();
    const principal = await this.apiKeys.authenticate(match[1]!);
    if (!principal) throw IdentityErrors.invalidKey();
    return principal;
  }
}
