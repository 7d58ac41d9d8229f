import { waitFor } from './process.js';
import type { SqlClient } from './sql.js';
import type { TestApp } from './test-app.js';

export interface InboxRow {
  id: string;
  type: string;
  status: string;
  source: string;
  attempts: number;
}

const WORKED = ['processed', 'ignored'];

/**
 * The inbox rows about one Stripe object (the event's object is it, or names it as its charge or
 * payment intent), once the sandbox has delivered everything it had queued and the worker has
 * worked every one of them: a "nothing else happened" check may follow, no sleep needed.
 */
export async function processedEventsAbout(t: TestApp, sql: SqlClient, objectId: string, types: string[], timeoutMs = 15_000): Promise<InboxRow[]> {
  await t.sandbox.control.webhooksIdle();
  let last: InboxRow[] = [];
  return waitFor(
    async () => {
      last = await sql.query<InboxRow>(
        `SELECT id, type, status, source, attempts FROM webhook_events
          WHERE type = ANY($2)
            AND $1 IN (payload->'data'->'object'->>'id', payload->'data'->'object'->>'charge', payload->'data'->'object'->>'payment_intent')
          ORDER BY created, id`,
        [objectId, types],
      );
      return last.length > 0 && last.every((r) => WORKED.includes(r.status)) ? last : undefined;
    },
    timeoutMs,
    `${types.join(', ')} events about ${objectId} processed`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
  });
}

/** Once the sandbox delivered everything, waits until no stored event is left to work (pending or processing). */
export async function inboxSettled(t: TestApp, sql: SqlClient, timeoutMs = 15_000): Promise<void> {
  await t.sandbox.control.webhooksIdle();
  await waitFor(
    async () => ((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE status IN ('pending', 'processing')`)).n === '0' ? true : undefined),
    timeoutMs,
    'every stored webhook event worked',
  );
}
