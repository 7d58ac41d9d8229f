import pg from 'pg';

/** Direct SQL on a test database, to check rows as an operator would. */
export function sqlClient(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  return {
    async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
      return (await pool.query(text, params)).rows as T[];
    },
    async one<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T> {
      const rows = (await pool.query(text, params)).rows as T[];
      if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${text}`);
      return rows[0]!;
    },
    end: () => pool.end(),
  };
}
export type SqlClient = ReturnType<typeof sqlClient>;
