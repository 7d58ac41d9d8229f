import { NotFoundError } from '../common/domain-error.js';
import type { Principal } from './principal.entity.js';

/**
 * The one ownership rule: admins see everything; anyone else sees only what they own. A resource
 * of another principal answers exactly like a missing one (404), so ids cannot be probed.
 */
export function ensureVisibleTo<T>(principal: Principal, resource: T | null | undefined, ownerIds: (r: T) => readonly (string | null | undefined)[], what: string, id: string): T {
  if (!resource) throw new NotFoundError(what, id);
  if (principal.role === 'admin') return resource;
  if (!ownerIds(resource).includes(principal.id)) throw new NotFoundError(what, id);
  return resource;
}
