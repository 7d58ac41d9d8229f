import { isPoolTimeout } from '@app/database';
import { DomainError } from './domain-error.js';

/** Seconds a client is told to wait (Retry-After) when the service had no database connection for it. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export const BUSY_MESSAGE = 'The service is busy: no database connection was free in time; retry shortly';

/**
 * 503 SERVICE.BUSY with Retry-After: no database connection came free within
 * DATABASE_POOL_TIMEOUT_MS. Thrown by refuseWhenBusy before the request wrote anything, it is a
 * refusal (an Idempotency-Key is released); the error filter also answers it for a pool timeout
 * anywhere else (e.g. the guard's key lookup) instead of a 500.
 */
export class ServiceBusyError extends DomainError {
  readonly retryAfterSeconds = BUSY_RETRY_AFTER_SECONDS;

  constructor() {
    super('SERVICE.BUSY', BUSY_MESSAGE, 'unavailable');
  }
}

/**
 * For the `.catch` of a request's first write (the transaction that records the intent): if the
 * pool had no connection for it in time, nothing was written (the transaction never began, or
 * rolled back), so the failure is a ServiceBusyError; any other error is rethrown as it is.
 */
export function refuseWhenBusy(error: unknown): never {
  throw isPoolTimeout(error) ? new ServiceBusyError() : error;
}
