import { QueryFailedError } from 'typeorm';
import { DomainError } from '../domain-error.js';

export const IdempotencyErrors = {
  keyReused: () => new DomainError('IDEMPOTENCY.KEY_REUSED', 'This Idempotency-Key was used with a different request', 'unprocessable'),
  inFlight: () => new DomainError('IDEMPOTENCY.IN_FLIGHT', 'A request with this Idempotency-Key is still being processed; retry shortly', 'conflict'),
};

/** A unique index said no: e.g. another request with the same Idempotency-Key recorded its intent first. */
export function isUniqueViolation(error: unknown, indexName: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === '23505' && driverError.constraint === indexName;
}
