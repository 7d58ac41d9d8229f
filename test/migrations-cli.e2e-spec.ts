// `npm run migration:revert` / `migration:run` (dist/migrations/cli.js) say which migrations they touched.
import { ensureDatabase, withDatabase } from '@app/database';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { MIGRATIONS } from '../migrations/index.js';
import { ROOT } from './support/process.js';
import { createTestDatabase, testServerUrl } from './support/test-database.js';

async function cli(databaseUrl: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['dist/migrations/cli.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ENV_FILE: 'off', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

const names = MIGRATIONS.map((m) => (m as { name: string }).name);

describe('migrations CLI', () => {
  it('migration:revert names the migration it reverted, and migration:run names what it applied again', async () => {
    const url = await createTestDatabase();
    const last = names.at(-1)!;
    const before = names.at(-2)!;
    expect(await cli(url, 'revert')).toEqual({ code: 0, output: `reverted ${last}\n` });
    expect(await cli(url, 'revert')).toEqual({ code: 0, output: `reverted ${before}\n` });
    expect(await cli(url, 'run')).toEqual({ code: 0, output: `applied ${before}\napplied ${last}\n` });
    expect(await cli(url, 'run')).toEqual({ code: 0, output: 'no pending migrations\n' });
  });

  it('migration:revert on a database with nothing applied says there is nothing to revert', async () => {
    const name = `t_${process.pid}_${randomBytes(5).toString('hex')}_empty`;
    await ensureDatabase(testServerUrl(), name);
    expect(await cli(withDatabase(testServerUrl(), name), 'revert')).toEqual({ code: 0, output: 'nothing to revert: no migration has been applied to this database\n' });
  });
});
