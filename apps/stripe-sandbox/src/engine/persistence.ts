import fs from 'node:fs';
import path from 'node:path';
import type { Sandbox } from './sandbox.js';
import type { Row } from '../core/store.js';
import type { RestrictedKeyRecord } from './restricted-keys.js';

// SANDBOX_STATE_FILE: the whole state as JSON, written atomically (tmp file + rename).
export function saveState(sb: Sandbox, file: string): void {
  const tables: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(sb.state.tables())) tables[name] = table.dump();
  const data = {
    version: 1,
    now: sb.now(),
    platforms: [...sb.state.platforms],
    restrictedKeys: [...sb.state.restrictedKeys],
    settlementCurrencies: [...sb.state.settlementCurrencies],
    exchangeRates: [...sb.state.exchangeRates],
    idempotency: sb.idempotency.toJSON(),
    tables,
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data));
  fs.renameSync(tmp, file);
}

/** Writes and removes a probe file beside the state file: saving writes a tmp file there and renames it. */
export function assertStateFileWritable(file: string): void {
  const probe = `${file}.${process.pid}.probe`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const uid = process.getuid?.();
    throw new Error(
      `the state file ${file} (SANDBOX_STATE_FILE) cannot be written: ${err instanceof Error ? err.message : String(err)}. ` +
        `Make ${path.dirname(path.resolve(file))} writable${uid === undefined ? '' : ` by uid ${uid}`}, or point SANDBOX_STATE_FILE elsewhere.`,
    );
  }
}

export function loadState(sb: Sandbox, file: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the sandbox state file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const data = parsed as {
    version: number;
    now: number;
    platforms: Array<[string, { id: string; keyHint: string }]>;
    restrictedKeys?: Array<[string, RestrictedKeyRecord]>;
    settlementCurrencies?: Array<[string, string]>;
    exchangeRates?: Array<[string, string]>;
    idempotency: Parameters<Sandbox['idempotency']['load']>[0];
    tables: Record<string, Array<Row<{ id: string }, unknown>>>;
  };
  if (data.version !== 1) throw new Error(`Unsupported sandbox state file version ${data.version} in ${file}`);
  if (data.now > sb.now()) sb.clock.set(data.now);
  sb.state.platforms = new Map(data.platforms);
  sb.state.restrictedKeys = new Map(data.restrictedKeys ?? []);
  if (data.settlementCurrencies) sb.state.settlementCurrencies = new Map(data.settlementCurrencies);
  if (data.exchangeRates) for (const [k, v] of data.exchangeRates) sb.state.exchangeRates.set(k, v);
  sb.idempotency.load(data.idempotency);
  const tables = sb.state.tables();
  for (const [name, rows] of Object.entries(data.tables)) {
    const table = tables[name as keyof typeof tables];
    // Rows were written from these same tables, so their shapes match.
    if (table) (table.load as (r: Array<Row<{ id: string }, unknown>>) => void)(rows);
  }
}
