import type { DataSource } from 'typeorm';

/**
 * Runs `work` while this process holds PostgreSQL's session advisory lock `key`, on a connection of
 * its own (released by PostgreSQL if the process dies); null at once when another session holds it.
 * For jobs one instance at a time runs, whatever they do between (Stripe calls included).
 */
export async function withSessionLock<T>(db: DataSource, key: number, work: () => Promise<T>): Promise<T | null> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key])) as [{ locked: boolean }];
    if (!locked) return null;
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await runner.release();
  }
}
