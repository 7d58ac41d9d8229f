// pg-pool's own messages: no free connection within connectionTimeoutMillis, or a new one did
// not open in time. Either way the query never ran.
const POOL_TIMEOUTS = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];

/** Whether `error` is the pool failing to hand out a connection in time (nothing was sent to PostgreSQL). */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && POOL_TIMEOUTS.includes(error.message);
}
