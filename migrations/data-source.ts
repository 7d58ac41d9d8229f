import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';
import { ENTITIES } from '../apps/marketplace/src/entities.js';
import { MIGRATIONS } from './index.js';

/** The one TypeORM definition, used by the app (TypeOrmModule) and by the migration CLI. */
export function dataSourceOptions(url: string, overrides: { poolSize?: number; poolTimeoutMs?: number; applicationName?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    poolSize: overrides.poolSize ?? 10,
    applicationName: overrides.applicationName ?? 'marketplace',
    // how long a query waits for a free pooled connection (pg-pool), and for a new one to open
    extra: { connectionTimeoutMillis: overrides.poolTimeoutMs ?? 5_000 },
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url, { poolSize: 2, applicationName: 'marketplace-migrations' }));
}

/**
 * The SQL `migration:generate` would write: entities diffed against the database. TypeORM's schema
 * builder reads the tables with concurrent queries on its one connection (pg warns "Calling
 * client.query() when the client is already executing a query", pg@9 refuses), so the runner it
 * takes from the data source here sends them one at a time.
 */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<{ upQueries: { query: string; parameters?: unknown[] }[]; downQueries: { query: string; parameters?: unknown[] }[] }> {
  const createQueryRunner = dataSource.createQueryRunner;
  dataSource.createQueryRunner = (mode) => oneQueryAtATime(createQueryRunner.call(dataSource, mode));
  try {
    return await dataSource.driver.createSchemaBuilder().log();
  } finally {
    dataSource.createQueryRunner = createQueryRunner;
  }
}

function oneQueryAtATime(runner: QueryRunner): QueryRunner {
  const query = runner.query.bind(runner);
  let previous: Promise<unknown> = Promise.resolve();
  runner.query = ((...args: Parameters<QueryRunner['query']>) => {
    const next = previous.then(() => query(...args));
    previous = next.catch(() => undefined);
    return next;
  }) as QueryRunner['query'];
  return runner;
}
