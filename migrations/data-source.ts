import { DataSource, type DataSourceOptions } from 'typeorm';
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
