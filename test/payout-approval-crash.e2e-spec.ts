// A payout approval whose api process died (SIGKILL, as in the simulation) after the approval was
// committed and before its answer was stored: the key is left in flight with nothing stored. The
// client's retry with the same Idempotency-Key takes the claim over once its lease ran out and runs
// the approval again; it must answer the approval it made (200), not 409 PAYOUTS.ALREADY_APPROVED_BY_YOU
// (a refusal that also released the key), and make no second approval. A rejection likewise.
import { randomUUID } from 'node:crypto';
import { createActiveSeller } from './factories/seller.factory.js';
import { approve, auditOf, diedAfterCommit, insertReviewRequest, reject, reviewContext } from './support/payout-review.js';
import { testAppForFile } from './support/transfers.js';

// the review alone: an approved request stays `approved` (the execution worker idles for an hour)
const t = testAppForFile({ PAYOUT_EXECUTION_POLL_MS: '3600000' });
const ctx = reviewContext(t, 2);
const died = (key: string) => diedAfterCommit(ctx.sql, key);

const approvalRows = async (id: string) => (await ctx.sql.query<{ admin_id: string }>(`SELECT admin_id FROM payout_approvals WHERE request_id = $1 ORDER BY created_at`, [id])).map((r) => r.admin_id);

describe('a payout approval retried after its api died mid-request', () => {
  it('the approval that approves: the retry with its key answers 200 approved; one approval, one approved entry in the audit log', async () => {
    const id = await insertReviewRequest(ctx.sql, { seller: await createActiveSeller(t), amount: 2_500 });
    const key = randomUUID();
    const first = await approve(t, id, ctx.admins[0]!.key, key, { reason: 'looks fine' }).expect(200);
    await died(key);

    const again = await approve(t, id, ctx.admins[0]!.key, key, { reason: 'looks fine' });
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect(await approvalRows(id)).toEqual([ctx.admins[0]!.id]);
    expect((await auditOf(t, id)).map((e) => e.action)).toEqual(['approval_added', 'approved']);
    // and its answer is stored now: the next retry replays it
    const replay = await approve(t, id, ctx.admins[0]!.key, key, { reason: 'looks fine' }).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('the first of two approvals: the retry answers 200 still in review; under another key the same admin is still refused 409 PAYOUTS.ALREADY_APPROVED_BY_YOU', async () => {
    const id = await insertReviewRequest(ctx.sql, { seller: await createActiveSeller(t), amount: 900_000, approvalsRequired: 2 });
    const key = randomUUID();
    const first = await approve(t, id, ctx.admins[0]!.key, key).expect(200);
    expect(first.body).toMatchObject({ status: 'pending_review', approvals: [{ adminId: ctx.admins[0]!.id }] });
    await died(key);

    const again = await approve(t, id, ctx.admins[0]!.key, key);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect((await approve(t, id, ctx.admins[0]!.key, randomUUID()).expect(409)).body.error.code).toBe('PAYOUTS.ALREADY_APPROVED_BY_YOU');
    // the second admin's approval still counts: the request is approved by two
    expect((await approve(t, id, ctx.admins[1]!.key).expect(200)).body.status).toBe('approved');
    expect(await approvalRows(id)).toEqual([ctx.admins[0]!.id, ctx.admins[1]!.id]);
  });

  it('a rejection: the retry with its key answers 200 rejected, one rejected entry in the audit log; another reason or another admin is still refused 409', async () => {
    const id = await insertReviewRequest(ctx.sql, { seller: await createActiveSeller(t), amount: 2_500 });
    const key = randomUUID();
    const first = await reject(t, id, ctx.admins[0]!.key, { reason: 'bank details look wrong' }, key).expect(200);
    expect(first.body).toMatchObject({ status: 'rejected' });
    await died(key);

    const again = await reject(t, id, ctx.admins[0]!.key, { reason: 'bank details look wrong' }, key);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect((await auditOf(t, id)).filter((e) => e.action === 'rejected')).toHaveLength(1);
    expect((await reject(t, id, ctx.admins[0]!.key, { reason: 'another reason' }).expect(409)).body.error.code).toBe('PAYOUTS.NOT_REJECTABLE');
    expect((await reject(t, id, ctx.admins[1]!.key, { reason: 'bank details look wrong' }).expect(409)).body.error.code).toBe('PAYOUTS.NOT_REJECTABLE');
  });
});
