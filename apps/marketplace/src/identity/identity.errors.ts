import { DomainError } from '../common/domain-error.js';

export const IdentityErrors = {
  missingKey: () => new DomainError('AUTH.MISSING_API_KEY', 'Send an API key as "Authorization: Bearer <key>"', 'unauthenticated'),
  malformedKey: () => new DomainError('AUTH.MALFORMED_API_KEY', 'The Authorization header is not "Bearer <key>" with a well-formed key', 'unauthenticated'),
  invalidKey: () => new DomainError('AUTH.INVALID_API_KEY', 'The API key is unknown or has been revoked', 'unauthenticated'),
  wrongRole: (needed: readonly string[]) => new DomainError('AUTH.FORBIDDEN_ROLE', `This endpoint needs the role ${needed.join(' or ')}`, 'forbidden'),
};
