// `npm run admin:key` (dist/apps/marketplace/src/cli/admin-key.js): create (the default), list, revoke.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashApiKey } from '../apps/marketplace/src/identity/api-key.util.js';
import { ROOT } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { createTestDatabase } from './support/test-database.js';

let databaseUrl: string;
let sql: SqlClient;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  sql = sqlClient(databaseUrl);
});
afterAll(async () => {
  await sql?.end();
});

async function adminKey(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return adminKeyWith({ ENV_FILE: 'off', DATABASE_URL: databaseUrl }, ...args);
}

async function adminKeyWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['dist/apps/marketplace/src/cli/admin-key.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out, err };
}

const keyIn = (out: string) => /mkt_[A-Za-z0-9_-]{43}/.exec(out)?.[0];

describe('npm run admin:key', () => {
  it("reads the same .env as the service, so a DATABASE_URL kept there finds the service's database", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-key-env-'));
    const envFile = path.join(dir, '.env');
    const own = await createTestDatabase(); // its own database: the other test starts from no keys
    fs.writeFileSync(envFile, `DATABASE_URL=${own}\n`);
    const made = await adminKeyWith({ ENV_FILE: envFile }, 'create', 'from dotenv');
    expect(made.code).toBe(0);
    const key = keyIn(made.out)!;
    const ownSql = sqlClient(own);
    const rows = await ownSql.query<{ label: string }>('SELECT label FROM api_keys WHERE key_hash = $1', [hashApiKey(key)]);
    await ownSql.end();
    expect(rows.map((r) => r.label)).toEqual(['from dotenv']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates by default, lists without secrets, revokes by id', async () => {
    expect(await adminKey('list')).toEqual({ code: 0, out: 'no admin keys yet: `npm run admin:key` issues one\n', err: '' });

    const first = await adminKey();
    expect(first.code).toBe(0);
    const firstKey = keyIn(first.out)!;
    expect(firstKey).toBeDefined();
    const second = await adminKey('create', 'ci deploys');
    const secondKey = keyIn(second.out)!;
    const [firstRow, secondRow] = await sql.query<{ id: string; prefix: string; principal_id: string }>('SELECT id, prefix, principal_id FROM api_keys WHERE key_hash = ANY($1) ORDER BY created_at', [
      [hashApiKey(firstKey), hashApiKey(secondKey)],
    ]);
    expect(first.out).toContain(`API key ${firstRow!.id} (shown once`);
    expect(secondRow!.principal_id).toBe(firstRow!.principal_id);

    const listed = await adminKey('list');
    expect(listed.code).toBe(0);
    const lines = listed.out.trim().split('\n');
    expect(lines[0]).toMatch(/^KEY ID\s+PRINCIPAL\s+PREFIX\s+LABEL\s+CREATED\s+REVOKED$/);
    expect(lines[1]).toMatch(new RegExp(`^${firstRow!.id}\\s+${firstRow!.principal_id}\\s+${firstRow!.prefix}\\.\\.\\.\\s+admin:key\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+live$`));
    expect(lines[2]).toMatch(new RegExp(`^${secondRow!.id}\\s+.*\\s+ci deploys\\s+\\S+Z\\s+live$`));
    expect(listed.out).toContain('2 admin keys, 2 live');
    // never a key: not the keys themselves, not their hashes
    expect(listed.out).not.toContain(firstKey);
    expect(listed.out).not.toContain(secondKey);
    expect(listed.out).not.toMatch(/mkt_[A-Za-z0-9_-]{9,}/);
    expect(listed.out).not.toContain(hashApiKey(firstKey));

    const revoked = await adminKey('revoke', firstRow!.id);
    expect(revoked).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^revoked admin key ${firstRow!.id} \\(${firstRow!.prefix}\\.\\.\\., admin:key\\) at \\S+Z\\n$`)) });
    expect(await sql.query('SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1', [firstRow!.id])).toEqual([{ revoked: true }]);
    const after = await adminKey('list');
    expect(after.out).toMatch(new RegExp(`${firstRow!.id}\\s+.*\\s+admin:key\\s+\\S+Z\\s+\\d{4}-\\d\\d-\\d\\dT\\S+Z\\n`));
    expect(after.out).toContain('2 admin keys, 1 live');
    expect((await adminKey('revoke', firstRow!.id)).out).toMatch(/was already revoked at/);
  });

  it('refuses what it cannot do, with the usage and a non-zero exit', async () => {
    expect(await adminKey('revoke')).toMatchObject({ code: 1, err: expect.stringContaining('revoke needs a key id') });
    expect(await adminKey('revoke', 'mkt_looks_like_a_key')).toMatchObject({ code: 1, err: expect.stringContaining('usage: npm run admin:key') });
    expect(await adminKey('revoke', '00000000-0000-4000-8000-000000000000')).toMatchObject({ code: 1, err: expect.stringContaining('no admin API key 00000000-0000-4000-8000-000000000000') });
    expect(await adminKey('rotate')).toMatchObject({ code: 1, err: expect.stringContaining('unknown command "rotate"') });
    // a seller's key is not the admin CLI's to revoke
    const [seller] = await sql.query<{ id: string }>(`INSERT INTO principals (role, name) VALUES ('seller', 'Some seller') RETURNING id`);
    const [key] = await sql.query<{ id: string }>(`INSERT INTO api_keys (principal_id, key_hash, prefix) VALUES ($1, $2, 'mkt_sellerxx') RETURNING id`, [seller!.id, 'a'.repeat(64)]);
    expect(await adminKey('revoke', key!.id)).toMatchObject({ code: 1, err: expect.stringContaining(`no admin API key ${key!.id}`) });
    expect(await sql.query('SELECT revoked_at FROM api_keys WHERE id = $1', [key!.id])).toEqual([{ revoked_at: null }]);
  });
});
