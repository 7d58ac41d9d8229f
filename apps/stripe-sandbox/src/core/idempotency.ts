// Idempotency-Key semantics, as Stripe documents them: the first result is saved and replayed for
// the same key and parameters; different parameters are an idempotency_error; a key whose first
// request is still executing is a 409 idempotency_key_in_use; keys expire after 24 hours.

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** API v2 keeps a key 30 days (v1: 24 hours). */
export const V2_IDEMPOTENCY_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface SavedResponse {
  status: number;
  body: string;
  requestId: string;
}

interface Entry {
  fingerprint: string;
  createdAt: number;
  /** seconds the key is kept (v1's 24 hours when absent, as in state files written before v2) */
  ttl?: number;
  response: SavedResponse | null; // null while in flight
}

export type Reservation = { kind: 'new' } | { kind: 'replay'; response: SavedResponse } | { kind: 'mismatch' } | { kind: 'in_flight' };

export class IdempotencyStore {
  private entries = new Map<string, Entry>();

  reserve(scope: string, key: string, fingerprint: string, now: number, ttl = IDEMPOTENCY_TTL_SECONDS): Reservation {
    const id = `${scope}\u0000${key}`;
    const existing = this.entries.get(id);
    if (existing && existing.createdAt + (existing.ttl ?? IDEMPOTENCY_TTL_SECONDS) > now) {
      if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (!existing.response) return { kind: 'in_flight' };
      return { kind: 'replay', response: existing.response };
    }
    this.entries.set(id, { fingerprint, createdAt: now, ...(ttl !== IDEMPOTENCY_TTL_SECONDS ? { ttl } : {}), response: null });
    return { kind: 'new' };
  }

  complete(scope: string, key: string, response: SavedResponse): void {
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (entry) entry.response = response;
  }

  /** Forget a reservation whose result must not be saved (validation errors, faults). */
  release(scope: string, key: string): void {
    this.entries.delete(`${scope}\u0000${key}`);
  }

  purgeExpired(now: number): void {
    for (const [id, entry] of this.entries) if (entry.createdAt + (entry.ttl ?? IDEMPOTENCY_TTL_SECONDS) <= now && entry.response) this.entries.delete(id);
  }

  size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  toJSON(): Array<[string, Entry]> {
    return [...this.entries].filter(([, e]) => e.response !== null);
  }

  load(rows: Array<[string, Entry]>): void {
    this.entries = new Map(rows);
  }
}
