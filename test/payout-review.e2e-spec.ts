// Issue 13, payout review: admins approve and reject payout requests (the two-person rule: distinct
// admins, never the requester, held by the service AND the database), every action in the
// append-only audit log. Real app, real PostgreSQL, the sandbox. Requests are inserted with SQL
// (test/support/payout-review.ts) as request creation will make them.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { approvalRefusal } from '../apps/marketplace/src/payouts/payouts.errors.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, type ActiveSeller } from './factories/seller.factory.js';
import { admins, approve, auditOf, insertReviewRequest, reject, reviewOf } from './support/payout-review.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { testAppForFile } from './support/transfers.js';

// the review alone: the execution worker's first pass (at boot) finds nothing and it then idles for an
// hour, so an approved request stays `approved` where these tests read it (execution has its own suites)
const t = testAppForFile({ PAYOUT_EXECUTION_POLL_MS: '3600000' });
let sql: SqlClient;
let seller: ActiveSeller;
let [alice, bob, carol]: PrincipalWithKey[] = [];

beforeAll(async () => {
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t, 'Reviewed Pottery');
  [alice, bob, carol] = await admins(t, 3);
});
afterAll(async () => {
  await sql?.end();
});

// each test's request is the seller's only open one: earlier ones are decided first (one open request per seller and currency)
async function freshSeller(): Promise<ActiveSeller> {
  return createActiveSeller(t);
}

const approvalRows = async (id: string) => (await sql.query<{ admin_id: string }>(`SELECT admin_id FROM payout_approvals WHERE request_id = $1 ORDER BY created_at`, [id])).map((r) => r.admin_id);
const statusOf = async (id: string) => (await sql.one<{ status: string }>(`SELECT status FROM payout_requests WHERE id = $1`, [id])).status;

describe('approve', () => {
  it('one approval below the threshold approves; the same admin twice is 409 PAYOUTS.ALREADY_APPROVED_BY_YOU with one approval row', async () => {
    const id = await insertReviewRequest(sql, { seller, amount: 2_500 });
    const res = await approve(t, id, alice!.key, randomUUID(), { reason: 'looks fine' }).expect(200);
    expect(res.body).toMatchObject({ id, status: 'approved', approvalsRequired: 1, approvals: [{ adminId: alice!.id }], amount: '2500', currency: 'USD' });
    expect(res.body.approvedAt).toEqual(expect.any(String));

    const again = await approve(t, id, alice!.key).expect(409);
    expect(again.body.error.code).toBe('PAYOUTS.ALREADY_APPROVED_BY_YOU');
    expect(await approvalRows(id)).toEqual([alice!.id]);
    // another admin, once it is approved: not in review any more
    expect((await approve(t, id, bob!.key).expect(409)).body.error.code).toBe('PAYOUTS.NOT_IN_REVIEW');
    expect(await statusOf(id)).toBe('approved');
  });

  it('above the threshold: one approval leaves it in review, a second distinct admin approves it; the audit log shows each step with before and after', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, amount: 900_000, approvalsRequired: 2 });
    const first = await approve(t, id, alice!.key).expect(200);
    expect(first.body).toMatchObject({ status: 'pending_review', approvals: [{ adminId: alice!.id }], approvedAt: null });
    expect((await approve(t, id, alice!.key).expect(409)).body.error.code).toBe('PAYOUTS.ALREADY_APPROVED_BY_YOU');
    const second = await approve(t, id, bob!.key, randomUUID(), { reason: 'second pair of eyes' }).expect(200);
    expect(second.body.status).toBe('approved');
    expect(second.body.approvals.map((a: { adminId: string }) => a.adminId)).toEqual([alice!.id, bob!.id]);

    const audit = await auditOf(t, id);
    expect(audit.map((e) => [e.action, e.actorId, e.actorRole])).toEqual([
      ['approval_added', alice!.id, 'admin'],
      ['approval_added', bob!.id, 'admin'],
      ['approved', bob!.id, 'admin'],
    ]);
    expect(audit[1]).toMatchObject({ before: { approvals: 1, approvalsRequired: 2 }, after: { approvals: 2, approvalsRequired: 2 }, reason: 'second pair of eyes' });
    expect(audit[2]).toMatchObject({ subjectType: 'payout_request', subjectId: id, before: { status: 'pending_review' }, after: { status: 'approved' } });
    expect(audit.every((e) => typeof e.at === 'string')).toBe(true);
  });

  it('the admin who asked for a request cannot approve it (403), and nothing is written', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, origin: 'admin', requestedBy: carol!.id });
    const res = await approve(t, id, carol!.key).expect(403);
    expect(res.body.error.code).toBe('PAYOUTS.REQUESTER_CANNOT_APPROVE');
    expect(await approvalRows(id)).toEqual([]);
    expect(await auditOf(t, id)).toEqual([]);
    await approve(t, id, alice!.key).expect(200);
  });

  it('an unknown id is 404; a request not in review is 409 PAYOUTS.NOT_IN_REVIEW; no Idempotency-Key is 400', async () => {
    expect((await approve(t, randomUUID(), alice!.key).expect(404)).body.error.code).toBe('NOT_FOUND');
    const s = await freshSeller();
    const held = await insertReviewRequest(sql, { seller: s, status: 'held' });
    expect((await approve(t, held, alice!.key).expect(409)).body.error.code).toBe('PAYOUTS.NOT_IN_REVIEW');
    const noKey = await t.http.post(`/admin/payouts/${held}/approve`).set(bearer(alice!.key)).send({}).expect(400);
    expect(noKey.body.error.code).toBe('IDEMPOTENCY.KEY_REQUIRED');
    expect(await approvalRows(held)).toEqual([]);
  });

  it('20 concurrent approvals by 20 admins of a 2-approval request: exactly two approvals, one transition to approved, every other call a clean 409', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, amount: 500_000, approvalsRequired: 2 });
    const many = await admins(t, 20);
    const answers = await Promise.all(many.map((a) => approve(t, id, a.key)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([...Array(2).fill(200), ...Array(18).fill(409)]);
    expect(new Set(answers.filter((r) => r.status === 409).map((r) => r.body.error.code))).toEqual(new Set(['PAYOUTS.NOT_IN_REVIEW']));
    expect(await approvalRows(id)).toHaveLength(2);
    expect(await statusOf(id)).toBe('approved');
    expect((await auditOf(t, id)).filter((e) => e.action === 'approved')).toHaveLength(1);
  });

  it('20 concurrent approvals by one admin under 20 keys: one approval, every other call 409 PAYOUTS.ALREADY_APPROVED_BY_YOU', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, amount: 500_000, approvalsRequired: 2 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => approve(t, id, alice!.key)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    expect(new Set(answers.filter((r) => r.status === 409).map((r) => r.body.error.code))).toEqual(new Set(['PAYOUTS.ALREADY_APPROVED_BY_YOU']));
    expect(await approvalRows(id)).toEqual([alice!.id]);
    expect(await statusOf(id)).toBe('pending_review');
  });

  it('a retry with the same Idempotency-Key replays the first answer and approves nothing twice', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, approvalsRequired: 2 });
    const key = randomUUID();
    const first = await approve(t, id, alice!.key, key).expect(200);
    const replay = await approve(t, id, alice!.key, key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await approvalRows(id)).toEqual([alice!.id]);
  });
});

describe('reject', () => {
  it('stores the reason the seller sees, audited with before and after; a second reject is 409; no reason is 400 and writes nothing', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, amount: 7_000 });
    for (const body of [{}, { reason: '   ' }]) {
      const bad = await reject(t, id, alice!.key, body).expect(400);
      expect(bad.body.error.code).toBe('PAYOUTS.REASON_REQUIRED');
    }
    expect(await statusOf(id)).toBe('pending_review');
    expect(await auditOf(t, id)).toEqual([]);

    const reason = 'Your bank account could not be verified: update it in the dashboard and ask again';
    const res = await reject(t, id, alice!.key, { reason }).expect(200);
    expect(res.body).toMatchObject({ id, status: 'rejected', statusCode: 'PAYOUTS.REJECTED', statusReason: reason, rejectedBy: alice!.id });
    const row = await sql.one(`SELECT status, status_code, status_reason, rejected_by FROM payout_requests WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'rejected', status_code: 'PAYOUTS.REJECTED', status_reason: reason, rejected_by: alice!.id });
    expect(await auditOf(t, id)).toEqual([
      expect.objectContaining({
        action: 'rejected',
        actorId: alice!.id,
        actorRole: 'admin',
        before: { status: 'pending_review', statusCode: null, statusReason: null },
        after: { status: 'rejected', statusCode: 'PAYOUTS.REJECTED', statusReason: reason, rejectedBy: alice!.id },
        reason,
      }),
    ]);
    expect((await reject(t, id, bob!.key, { reason: 'again' }).expect(409)).body.error.code).toBe('PAYOUTS.NOT_REJECTABLE');
    expect((await approve(t, id, bob!.key).expect(409)).body.error.code).toBe('PAYOUTS.NOT_IN_REVIEW');
  });

  it('a held request can be rejected too', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, status: 'held' });
    expect((await reject(t, id, bob!.key, { reason: 'balances differ: we are looking into it' }).expect(200)).body.status).toBe('rejected');
  });

  it('an approved request not yet started can still be stopped: rejected, and no attempt is ever made for it', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s });
    expect((await approve(t, id, alice!.key).expect(200)).body.status).toBe('approved');
    expect((await reject(t, id, bob!.key, { reason: 'second thoughts: the order is under review' }).expect(200)).body.status).toBe('rejected');
    expect(await sql.query(`SELECT id FROM payout_attempts WHERE request_id = $1`, [id])).toEqual([]);
    await expect(
      sql.query(
        `INSERT INTO payout_attempts (id, request_id, seller_id, stripe_account, amount, currency, status, idempotency_key, stripe_params)
      SELECT x.id, r.id, r.seller_id, r.stripe_account, r.amount, r.currency, 'pending', 'payout:' || x.id, '{}'::jsonb FROM payout_requests r, (SELECT gen_random_uuid() AS id) x WHERE r.id = $1`,
        [id],
      ),
    ).rejects.toThrow(/no payout may be made/);
  });
});

describe('who may', () => {
  it('a seller or buyer key cannot approve, reject, or read the queue or the audit log (403)', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s });
    const buyer = await createPrincipal(t, 'buyer');
    for (const key of [s.key, buyer.key]) {
      await approve(t, id, key).expect(403);
      await reject(t, id, key, { reason: 'no' }).expect(403);
      await t.http.get('/admin/payouts').query({ status: 'pending_review' }).set(bearer(key)).expect(403);
      await t.http.get(`/admin/payouts/${id}`).set(bearer(key)).expect(403);
      await t.http
        .get('/admin/audit')
        .query({ subject: `payout_request:${id}` })
        .set(bearer(key))
        .expect(403);
    }
    expect(await approvalRows(id)).toEqual([]);
    expect(await statusOf(id)).toBe('pending_review');
  });
});

describe('the database holds the rule whatever code writes', () => {
  it('refuses a second approval by the same admin, an approval by the requester, approved with too few approvals, an attempt without approvals', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, origin: 'admin', requestedBy: carol!.id, amount: 800_000, approvalsRequired: 2 });
    await sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [id, alice!.id]);
    await expect(sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [id, alice!.id])).rejects.toMatchObject({ code: '23505', constraint: 'payout_approvals_pkey' });
    await expect(sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [id, carol!.id])).rejects.toMatchObject({
      code: '23514',
      message: expect.stringContaining('cannot approve it'),
    });
    await expect(sql.query(`UPDATE payout_requests SET status = 'approved' WHERE id = $1`, [id])).rejects.toMatchObject({
      code: '23514',
      message: expect.stringContaining('1 of the 2 distinct approvals'),
    });
    await expect(
      sql.query(
        `INSERT INTO payout_attempts (id, request_id, seller_id, stripe_account, amount, currency, status, idempotency_key, stripe_params)
         SELECT a.id, r.id, r.seller_id, r.stripe_account, r.amount, r.currency, 'pending', 'payout:' || a.id, '{}'::jsonb FROM payout_requests r, (SELECT gen_random_uuid() AS id) a WHERE r.id = $1`,
        [id],
      ),
    ).rejects.toMatchObject({ code: '23514', message: expect.stringContaining('no payout may be made for it') });
    expect(await approvalRows(id)).toEqual([alice!.id]);
    expect(await statusOf(id)).toBe('pending_review');
  });

  it('the service answers the database refusals with the same codes (a race it did not see)', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s, origin: 'admin', requestedBy: carol!.id, approvalsRequired: 2 });
    const db = t.app.get(DataSource);
    const refusal = async (adminId: string) => {
      try {
        await db.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [id, adminId]);
      } catch (error) {
        return approvalRefusal(error, id, adminId)?.code;
      }
      return 'inserted';
    };
    expect(await refusal(alice!.id)).toBe('inserted');
    expect(await refusal(alice!.id)).toBe('PAYOUTS.ALREADY_APPROVED_BY_YOU');
    expect(await refusal(carol!.id)).toBe('PAYOUTS.REQUESTER_CANNOT_APPROVE');
    await sql.query(`INSERT INTO payout_approvals (request_id, admin_id) VALUES ($1, $2)`, [id, bob!.id]);
    await sql.query(`UPDATE payout_requests SET status = 'approved' WHERE id = $1`, [id]);
    const dave = (await admins(t, 1))[0]!;
    expect(await refusal(dave.id)).toBe('PAYOUTS.NOT_IN_REVIEW');
  });

  it('the audit log refuses UPDATE and DELETE', async () => {
    const s = await freshSeller();
    const id = await insertReviewRequest(sql, { seller: s });
    await reject(t, id, alice!.key, { reason: 'not this week' }).expect(200);
    const before = await auditOf(t, id);
    await expect(sql.query(`UPDATE audit_log SET reason = 'rewritten' WHERE subject_id = $1`, [id])).rejects.toMatchObject({ code: '23514', message: expect.stringContaining('append-only') });
    await expect(sql.query(`DELETE FROM audit_log WHERE subject_id = $1`, [id])).rejects.toMatchObject({ code: '23514', message: expect.stringContaining('append-only') });
    expect(await auditOf(t, id)).toEqual(before);
  });
});

describe('reading', () => {
  it('GET /admin/payouts lists by status and seller, oldest first, paged; GET /admin/audit pages oldest first', async () => {
    const s = await freshSeller();
    const first = await insertReviewRequest(sql, { seller: s, currency: 'USD', amount: 1_000 });
    const second = await insertReviewRequest(sql, { seller: s, currency: 'EUR', amount: 2_000 });
    const page1 = await t.http.get('/admin/payouts').query({ status: 'pending_review', sellerId: s.id, limit: 1 }).set(bearer(t.adminKey)).expect(200);
    expect(page1.body.data.map((r: { id: string }) => r.id)).toEqual([first]);
    expect(page1.body.hasMore).toBe(true);
    const page2 = await t.http.get('/admin/payouts').query({ status: 'pending_review', sellerId: s.id, limit: 1, startingAfter: page1.body.nextCursor }).set(bearer(t.adminKey)).expect(200);
    expect(page2.body).toMatchObject({ data: [{ id: second, currency: 'EUR', amount: '2000' }], hasMore: false, nextCursor: null });
    expect((await t.http.get('/admin/payouts').query({ status: 'approved', sellerId: s.id }).set(bearer(t.adminKey)).expect(200)).body.data).toEqual([]);
    expect((await t.http.get('/admin/payouts').query({ limit: 51 }).set(bearer(t.adminKey)).expect(400)).body.error.code).toBe('PAGINATION.INVALID_LIMIT');
    expect((await t.http.get('/admin/audit').query({ subject: 'nonsense' }).set(bearer(t.adminKey)).expect(400)).body.error.code).toBe('AUDIT.INVALID_SUBJECT');

    expect((await t.http.get(`/admin/payouts/${randomUUID()}`).set(bearer(t.adminKey)).expect(404)).body.error.code).toBe('NOT_FOUND');
    // the detail: the request, who asked, the seller's account, live balances
    const review = await reviewOf(t, first);
    expect(review).toMatchObject({ origin: 'seller', requestedBy: s.id, reason: 'the seller asked for a payout', approvals: [], approvalsRequired: 1 });
    expect(review.seller).toMatchObject({ sellerId: s.id, stripeAccountId: s.account, status: 'active', payoutsEnabled: true });
    expect(review.balance).toMatchObject({ stripeAvailable: '0', ledgerAvailable: '0', matches: true, error: null });

    // two approvals and a rejection: three entries, two pages of two
    const id = await insertReviewRequest(sql, { seller: await freshSeller(), approvalsRequired: 2 });
    await approve(t, id, alice!.key).expect(200);
    await approve(t, id, bob!.key).expect(200);
    const a1 = await t.http
      .get('/admin/audit')
      .query({ subject: `payout_request:${id}`, limit: 2 })
      .set(bearer(t.adminKey))
      .expect(200);
    const a2 = await t.http
      .get('/admin/audit')
      .query({ subject: `payout_request:${id}`, limit: 2, startingAfter: a1.body.nextCursor })
      .set(bearer(t.adminKey))
      .expect(200);
    expect([...a1.body.data, ...a2.body.data].map((e: { action: string }) => e.action)).toEqual(['approval_added', 'approval_added', 'approved']);
  });

  it('GET /admin/payouts/risk-thresholds answers the configured thresholds', async () => {
    const res = await t.http.get('/admin/payouts/risk-thresholds').set(bearer(t.adminKey)).expect(200);
    expect(res.body).toEqual({
      newSellerDays: 30,
      medianMultiple: 3,
      medianMinPayouts: 3,
      rateWindowDays: 90,
      refundRateBps: 1000,
      disputeRateBps: 75,
      rateMinOrders: 5,
      holdLimitWarnDays: 7,
    });
  });
});
