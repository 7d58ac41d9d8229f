import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { sqlClient, type SqlClient } from './sql.js';
import type { TestApp } from './test-app.js';

export interface ReviewRequestInput {
  seller: { id: string; account: string };
  amount?: bigint | number;
  currency?: string;
  /** 'seller' (asked by the seller) or 'admin' (asked by `requestedBy`, an admin). */
  origin?: 'seller' | 'admin';
  requestedBy?: string;
  approvalsRequired?: 1 | 2;
  status?: 'pending_review' | 'held';
}

/**
 * A payout request in review, inserted with SQL as request creation (issue 13's other part) will
 * make it: for a seller with a connected account, origin seller (asked by the seller) or admin.
 */
export async function insertReviewRequest(sql: SqlClient, input: ReviewRequestInput): Promise<string> {
  const origin = input.origin ?? 'seller';
  const requestedBy = input.requestedBy ?? input.seller.id;
  const row = await sql.one<{ id: string }>(
    `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      input.seller.id,
      input.seller.account,
      input.currency ?? 'USD',
      String(input.amount ?? 1_000),
      origin,
      requestedBy,
      origin === 'seller' ? 'the seller asked for a payout' : 'an admin asked for a payout for the seller',
      input.status ?? 'pending_review',
      input.approvalsRequired ?? 1,
    ],
  );
  return row.id;
}

/** `n` admins, each with a key. */
export async function admins(t: TestApp, n: number): Promise<PrincipalWithKey[]> {
  const made: PrincipalWithKey[] = [];
  for (let i = 0; i < n; i++) made.push(await createPrincipal(t, 'admin'));
  return made;
}

export const approve = (t: TestApp, id: string, key: string, idempotencyKey: string = randomUUID(), body: object = {}) =>
  t.http.post(`/admin/payouts/${id}/approve`).set(bearer(key)).set('Idempotency-Key', idempotencyKey).send(body);

export const reject = (t: TestApp, id: string, key: string, body: object, idempotencyKey: string = randomUUID()) =>
  t.http.post(`/admin/payouts/${id}/reject`).set(bearer(key)).set('Idempotency-Key', idempotencyKey).send(body);

export const reviewOf = async (t: TestApp, id: string) => (await t.http.get(`/admin/payouts/${id}`).set(bearer(t.adminKey)).expect(200)).body;

// biome-ignore lint/suspicious/noExplicitAny: the audit entries' JSON, read loosely as supertest's `body` is
export type AuditJson = Record<string, any>;

export const auditOf = async (t: TestApp, id: string) =>
  (
    await t.http
      .get('/admin/audit')
      .query({ subject: `payout_request:${id}`, limit: 200 })
      .set(bearer(t.adminKey))
      .expect(200)
  ).body.data as AuditJson[];

/** A file's SQL client and `n` admins, made before its tests; the client closed after them. */
export function reviewContext(t: TestApp, n: number): { sql: SqlClient; admins: PrincipalWithKey[] } {
  const ctx = { sql: undefined as unknown as SqlClient, admins: [] as PrincipalWithKey[] };
  beforeAll(async () => {
    ctx.sql = sqlClient(t.databaseUrl);
    ctx.admins = await admins(t, n);
  });
  afterAll(async () => {
    await ctx.sql?.end();
  });
  return ctx;
}

/** The api died after the request committed: its key in flight, nothing stored, the dead claim's lease run out. */
export const diedAfterCommit = (sql: SqlClient, key: string) =>
  sql.query(`UPDATE idempotency_keys SET state = 'in_flight', locked_until = now() - interval '1 second', response_status = NULL, response_body = NULL WHERE key = $1`, [key]);
