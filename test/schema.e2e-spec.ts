import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, pendingSchemaChanges } from '../migrations/data-source.js';
import { createTestDatabase } from './support/test-database.js';

// pg warns (once per process; pg@9 will refuse) when a query is sent to a client still running one.
// Node's warning does not reach Jest's copy of `process`, so this watches for pg's own condition for
// that warning: a query queued behind another, outside pipeline mode.
const concurrentQueries: string[] = [];
type WatchedClient = { _queryQueue: unknown[]; pipeline?: boolean };
const query = pg.Client.prototype.query;
beforeAll(() => {
  pg.Client.prototype.query = function (this: WatchedClient, ...args: unknown[]) {
    if (this._queryQueue.length > 0 && !this.pipeline) concurrentQueries.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text).slice(0, 120));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});
afterAll(() => {
  pg.Client.prototype.query = query;
});

describe('database schema', () => {
  it('entities and migrations agree: migration:generate would have nothing to write', async () => {
    const dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    try {
      const sql = await pendingSchemaChanges(dataSource);
      expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('every migration can be reverted and applied again', async () => {
    const dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    try {
      const count = dataSource.migrations.length;
      for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
      expect(await dataSource.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`)).toEqual([{ n: 0 }]);
      expect((await dataSource.runMigrations({ transaction: 'each' })).length).toBe(count);
    } finally {
      await dataSource.destroy();
    }
  });

  it("sends no query to a pg client still running one (pg's DeprecationWarning)", () => {
    expect(concurrentQueries).toEqual([]);
  });
});
