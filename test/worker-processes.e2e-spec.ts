// Two real worker processes (ROLE=worker, the compiled service) against one PostgreSQL: the inbox's
// FOR UPDATE SKIP LOCKED claims hand each event to exactly one of them.
import { freePort } from '@app/database';
import { runNode, stopProcess, waitFor, type RunningProcess } from './support/process.js';
import { sqlClient } from './support/sql.js';
import { createTestDatabase } from './support/test-database.js';

const MAIN = 'dist/apps/marketplace/src/main.js';

describe('two worker processes', () => {
  const procs: RunningProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await stopProcess(p);
  });

  it('work 5,000 inbox events between them; every event is worked exactly once', async () => {
    const databaseUrl = await createTestDatabase();
    const sql = sqlClient(databaseUrl);
    try {
      await sql.query(
        `INSERT INTO webhook_events (id, endpoint, type, livemode, created, payload, status, next_attempt_at)
         SELECT 'evt_proc_' || g, 'platform', 'fixture.no_handler', false, now(), jsonb_build_object('id', 'evt_proc_' || g), 'pending', now()
           FROM generate_series(1, 5000) g`,
      );
      for (const name of ['proc-a', 'proc-b']) {
        procs.push(
          runNode(MAIN, {
            ROLE: 'worker',
            INSTANCE_NAME: name,
            DATABASE_URL: databaseUrl,
            MIGRATIONS_RUN: 'false',
            LOG_LEVEL: 'debug',
            STRIPE_API_BASE: `http://127.0.0.1:${await freePort()}`, // no Stripe call is made
            STRIPE_WEBHOOK_SECRETS: 'whsec_unused',
            STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_unused_connect',
            WEBHOOK_BATCH_SIZE: '20',
            WEBHOOK_POLL_MS: '20',
            WEBHOOK_BACKFILL_LOOKBACK_S: '0',
          }),
        );
      }
      await waitFor(
        async () => ((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE id LIKE 'evt_proc_%' AND status = 'ignored'`)).n === '5000' ? true : undefined),
        60_000,
        '5,000 events worked',
      );
      for (const p of procs) p.child.kill('SIGTERM');
      for (const p of procs) expect(await p.exited).toBe(0);

      const workedBy = procs.map((p) =>
        p
          .output()
          .split('\n')
          .filter((line) => line.includes('"msg":"webhook event worked"'))
          .map((line) => (JSON.parse(line) as { eventId: string }).eventId),
      );
      const all = workedBy.flat();
      expect(all).toHaveLength(5000);
      expect(new Set(all).size).toBe(5000);
      // both processes really competed for the work
      for (const ids of workedBy) expect(ids.length).toBeGreaterThan(500);
    } finally {
      await sql.end();
    }
  }, 90_000);
});
