import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../migrations/data-source.js';
import { createTestDatabase } from './support/test-database.js';

describe('database schema', () => {
  it('entities and migrations agree: migration:generate would have nothing to write', async () => {
    const dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
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
});
