import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app.config.js';

export const KEY_TTL_HOURS = 24;

export type IdempotencyOutcome = { kind: 'proceed'; claim: string } | { kind: 'replay'; status: number; body: unknown } | { kind: 'in_flight' } | { kind: 'mismatch' };

/** Stable JSON: object keys sorted, so {a,b} and {b,a} are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

/** Layer 1 of the three idempotency layers: our own API's Idempotency-Key, scoped to the caller. */
@Injectable()
export class IdempotencyService {
  // an in-flight claim this old belongs to a process that died mid-request (IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS):
  // longer than a request can last (a Stripe call with its retries is about 2 minutes at worst with the defaults)
  private readonly leaseSeconds: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    app: AppConfig,
  ) {
    this.leaseSeconds = app.IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS;
  }

  /**
   * Claims the key for this request. `intentTable` names the table whose rows a route binds to its
   * keys (`principal_id`, `idempotency_key`, unique): see `@Idempotent({ intents })`.
   */
  async begin(principalId: string, key: string, hash: string, intentTable?: string): Promise<IdempotencyOutcome> {
    const intents = intentTable === undefined ? undefined : checkedTable(intentTable);
    const claim = randomUUID();
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO idempotency_keys (principal_id, key, request_hash, state, claim_token, locked_until, expires_at)
       VALUES ($1, $2, $3, 'in_flight', $6, now() + make_interval(secs => $4), now() + make_interval(hours => $5))
       ON CONFLICT (principal_id, key) DO NOTHING RETURNING key`,
      [principalId, key, hash, this.leaseSeconds, KEY_TTL_HOURS, claim],
    );
    if (inserted.length === 1) return this.startGeneration(principalId, key, claim, intents);

    // an expired key starts over, as a new request
    const [restarted]: [unknown[], number] = await this.db.query(
      `UPDATE idempotency_keys
          SET request_hash = $3, state = 'in_flight', claim_token = $6, response_status = NULL, response_body = NULL, created_at = now(),
              locked_until = now() + make_interval(secs => $4), expires_at = now() + make_interval(hours => $5)
        WHERE principal_id = $1 AND key = $2 AND expires_at < now()
        RETURNING key`,
      [principalId, key, hash, this.leaseSeconds, KEY_TTL_HOURS, claim],
    );
    if (restarted.length === 1) return this.startGeneration(principalId, key, claim, intents);

    // An in-flight claim of the same request is taken over when its lease ran out (the process
    // died), or at once when the route binds its keys to intent rows and one exists for this key:
    // the handler then resumes that row (same Stripe key) instead of making a new one, so a retry
    // after a crash need not wait out the lease. Two live requests may then both resume the same
    // row; that is safe because Stripe's idempotency key makes their calls one operation (or one of
    // them is told 409), and the unique (principal_id, idempotency_key) index means neither can
    // make a second row. The newer claim owns the key; the older one can no longer store or release it.
    const [takenOver]: [unknown[], number] = await this.db.query(
      `UPDATE idempotency_keys
          SET claim_token = $5, locked_until = now() + make_interval(secs => $4)
        WHERE principal_id = $1 AND key = $2 AND state = 'in_flight' AND request_hash = $3
          AND (locked_until < now()${intents ? ` OR EXISTS (SELECT 1 FROM ${intents} i WHERE i.principal_id = $1 AND i.idempotency_key = $2)` : ''})
        RETURNING key`,
      [principalId, key, hash, this.leaseSeconds, claim],
    );
    if (takenOver.length === 1) return { kind: 'proceed', claim };

    const rows: Array<{ request_hash: string; state: string; response_status: number | null; response_body: unknown }> = await this.db.query(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE principal_id = $1 AND key = $2`,
      [principalId, key],
    );
    const row = rows[0];
    if (!row) return this.begin(principalId, key, hash, intentTable); // deleted between our statements: try again
    if (row.request_hash !== hash) return { kind: 'mismatch' };
    if (row.state === 'in_flight') return { kind: 'in_flight' };
    return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body };
  }

  /** Whether a row of `intentTable` is bound to this key: then the key is never released. */
  async hasIntent(intentTable: string, principalId: string, key: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM ${checkedTable(intentTable)} WHERE principal_id = $1 AND idempotency_key = $2`, [principalId, key]);
    return rows.length > 0;
  }

  // A new generation of the key (never seen, or expired after 24 h) is a new request: an intent
  // row still bound to it from an expired generation lets go of it (we hold the claim, so no
  // request of this generation can be using it). Only an intent as old as a key lives: a key row
  // that is gone early (released after a refusal, e.g. 503 SERVICE.BUSY on a takeover) must not
  // unbind the intent it made, or the next retry would make a second refund or order.
  private async startGeneration(principalId: string, key: string, claim: string, intents: string | undefined): Promise<IdempotencyOutcome> {
    if (intents) {
      await this.db.query(`UPDATE ${intents} SET idempotency_key = NULL WHERE principal_id = $1 AND idempotency_key = $2 AND created_at < now() - make_interval(hours => $3)`, [
        principalId,
        key,
        KEY_TTL_HOURS - 1,
      ]);
    }
    return { kind: 'proceed', claim };
  }

  /** Stores the response of the claim's request (only the claim's owner can). */
  async complete(principalId: string, key: string, claim: string, status: number, body: unknown): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_body = $5, locked_until = NULL
        WHERE principal_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_flight'`,
      [principalId, key, claim, status, JSON.stringify(body ?? null)],
    );
  }

  /** The request was refused before it recorded an intent: forget the claim so the caller can fix things and retry with the same key. */
  async release(principalId: string, key: string, claim: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE principal_id = $1 AND key = $2 AND claim_token = $3 AND state = 'in_flight'`, [principalId, key, claim]);
  }

  async deleteExpired(): Promise<number> {
    const [, affected]: [unknown[], number] = await this.db.query(`DELETE FROM idempotency_keys WHERE expires_at < now()`);
    return affected;
  }
}

function checkedTable(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a table name: ${name}`);
  return name;
}
