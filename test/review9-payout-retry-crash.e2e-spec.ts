// An admin's retry of a failed payout (POST /admin/payouts/:id/retry) whose api died after the
// retry committed and before its answer was stored: the key is left in flight with nothing stored.
// The client's retry with the same Idempotency-Key, once the dead claim's lease ran out, must answer
// the retry it made, never make a second one: not 409 PAYOUTS.NOT_RETRYABLE while the request is
// still approved (a refusal that released the key), and above all not a second failed -> approved
// (a second Stripe payout the admin never asked for) when the new attempt failed meanwhile.
import { randomUUID } from 'node:crypto';
import { bearer } from './factories/principal.factory.js';
import { createActiveSeller } from './factories/seller.factory.js';
import { auditOf, diedAfterCommit, insertReviewRequest, reviewContext } from './support/payout-review.js';
import { testAppForFile } from './support/transfers.js';

// the retry alone: an approved request stays `approved` (the execution worker idles for an hour)
const t = testAppForFile({ PAYOUT_EXECUTION_POLL_MS: '3600000' });
const ctx = reviewContext(t, 2);

const retry = (id: string, adminKey: string, key: string) => t.http.post(`/admin/payouts/${id}/retry`).set(bearer(adminKey)).set('Idempotency-Key', key).send();

/** A request whose payout failed (as Stripe's payout.failed leaves it). */
async function failedRequest(): Promise<string> {
  const id = await insertReviewRequest(ctx.sql, { seller: await createActiveSeller(t), amount: 2_500 });
  await failAgain(id);
  return id;
}
const failAgain = (id: string) => ctx.sql.query(`UPDATE payout_requests SET status = 'failed', status_code = 'PAYOUTS.PAYOUT_FAILED', status_reason = 'the bank refused it' WHERE id = $1`, [id]);

const retries = async (id: string) => (await auditOf(t, id)).filter((e) => e.action === 'payout.retry').length;

describe('a payout retry retried after its api died mid-request', () => {
  it('the request still approved: the retry with its key answers 200 with the retry it made, and stores it', async () => {
    const id = await failedRequest();
    const key = randomUUID();
    const first = await retry(id, ctx.admins[0]!.key, key).expect(200);
    expect(first.body).toMatchObject({ id, status: 'approved' });
    await diedAfterCommit(ctx.sql, key);

    const again = await retry(id, ctx.admins[0]!.key, key);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect(await retries(id)).toBe(1);
    const replay = await retry(id, ctx.admins[0]!.key, key).expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('the new attempt failed meanwhile: the retry with its key makes no second retry (the request stays failed); a new retry, under a new key, still can', async () => {
    const id = await failedRequest();
    const key = randomUUID();
    await retry(id, ctx.admins[0]!.key, key).expect(200);
    await diedAfterCommit(ctx.sql, key);
    await failAgain(id); // the worker's new attempt failed at Stripe too

    const again = await retry(id, ctx.admins[0]!.key, key);
    expect({ status: again.status, state: again.body.status }).toEqual({ status: 200, state: 'failed' });
    expect(await retries(id)).toBe(1);
    // a decision made now is a new retry: another key (this admin or another one) moves it again
    expect((await retry(id, ctx.admins[1]!.key, randomUUID()).expect(200)).body.status).toBe('approved');
    expect(await retries(id)).toBe(2);
  });
});
