import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, PrincipalRole } from './principal.entity.js';

export const IS_PUBLIC = 'identity:public';
export const REQUIRED_ROLES = 'identity:roles';

/** No API key needed (health, docs, Stripe webhooks which carry their own signature). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route (401/403 are decided by the guards). */
export const Roles = (...roles: PrincipalRole[]) => SetMetadata(REQUIRED_ROLES, roles);

export type AuthenticatedRequest = Request & { principal?: Principal };

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
