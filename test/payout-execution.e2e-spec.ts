// Issue 13, execution and lifecycle: an approved request is paid out by the worker (one Stripe payout
// per attempt, key payout:<attemptId>), its lifecycle follows Stripe's payout.* events, a failure
// says what the seller can do, an admin's retry is a new attempt, a freeze after approval holds it.
// Real app (PAYOUT_MODE=reviewed: every account on a manual schedule), real PostgreSQL, the sandbox.
import { randomUUID } from 'node:crypto';
import { StripeGateway } from '@app/stripe';
import { DataSource } from 'typeorm';
import { PayoutEventsHandler } from '../apps/marketplace/src/payouts/payout-events.handler.js';
import { PayoutLifecycle } from '../apps/marketplace/src/payouts/payout-lifecycle.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createListing } from './factories/seller.factory.js';
import { balance, expectBooksMatchStripe, getOrder, paidOrder } from './support/checkout.js';
import { allocatedTotal, approvedRequest, attemptRows, availableAtStripe, requestRow, sellerWithAvailableFunds, stripePayoutsOfRequest, waitForRequest } from './support/payout-execution.js';
import { waitFor } from './support/process.js';
import { refundOrder, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_EXECUTION_POLL_MS: '100', PAYOUT_EXECUTION_RETRY_BASE_MS: '100' });

/** Past the payout's arrival: Stripe pays (or fails) it and tells us. */
async function payoutArrives(): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
}

async function createdAttempt(requestId: string) {
  return waitFor(
    async () => {
      const [a] = await attemptRows(t, requestId);
      return a?.stripe_payout_id ? a : undefined;
    },
    20_000,
    'attempt created at Stripe',
  );
}

describe('payout execution', () => {
  it('approved -> one Stripe payout -> payout.paid -> paid; the ledger moved the amount; the links sum to it; no automatic payout in reviewed mode', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Paid Pottery' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const id = await approvedRequest(t, seller, available);

    const attempt = await createdAttempt(id);
    expect(attempt).toMatchObject({ status: 'created', idempotency_key: `payout:${attempt.id}`, submit_attempts: 1 });
    expect((await requestRow(t, id)).status).toBe('executing');
    await payoutArrives();
    const paid = await waitForRequest(t, id, (r) => r.status === 'paid', 'paid');
    expect(paid.paid_at).not.toBeNull();
    expect((await attemptRows(t, id))[0]).toMatchObject({ status: 'paid', stripe_status: 'paid' });

    const atStripe = await stripePayoutsOfRequest(t, seller.account, id);
    expect(atStripe.map((p) => [p.amount, p.status, p.metadata?.payout_attempt_id])).toEqual([[Number(available), 'paid', attempt.id]]);
    // in reviewed mode Stripe never paid this seller out on its own, days of its schedule later
    const all = (await t.stripe.payouts.list({ limit: 100 }, { stripeAccount: seller.account })).data;
    expect(all.map((p) => p.id)).toEqual([attempt.stripe_payout_id]);

    // the ledger: the seller's available cash and payable went to zero with the payout
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(0n);
    expect(await balance(t, 'seller_payable_available', 'USD', seller.id)).toBe(0n);
    // what the payout paid out: the seller's available movements, summing to the payout exactly
    expect(await allocatedTotal(t, attempt.stripe_payout_id!)).toMatchObject({ allocated: available, released: 0n });
    // every transition is in the audit log, by whom: the worker, then Stripe
    const audit: Array<{ subject_type: string; action: string; actor_role: string }> = await t.app
      .get(DataSource)
      .query(`SELECT subject_type, action, actor_role FROM audit_log WHERE subject_id = ANY($1) ORDER BY id`, [[id, attempt.id]]);
    expect(audit.map((a) => `${a.subject_type} ${a.action} ${a.actor_role}`)).toEqual([
      'payout_request payout.executing system',
      'payout_attempt payout.submitting system',
      'payout_attempt payout.created stripe',
      'payout_attempt payout.paid stripe',
      'payout_request payout.paid stripe',
    ]);
    await expectBooksMatchStripe(t);
  });

  it("the links: a refund of available funds counts as a debit; the rows are the seller's available movements and sum to the payout", async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Linked Pottery', unitAmount: 6_000 });
    const buyer = await createPrincipal(t, 'buyer');
    const second = await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 4_000, title: 'Cup' }));
    t.sandbox.control.advance(3 * 86_400);
    await t.sandbox.control.webhooksIdle();
    await refundOrder(t, second.id, { amount: '1000' }).expect(201);
    // past the refund's debit's availability too
    await expectBooksMatchStripe(t, { advanceSeconds: 3 * 86_400 });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const id = await approvedRequest(t, seller, available);
    const attempt = await createdAttempt(id);
    await payoutArrives();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid');
    const rows: Array<{ amount: string; account: string; seller_id: string; line_amount: string }> = await t.app.get(DataSource).query(
      `SELECT a.amount::text, l.account, l.seller_id, l.amount::text AS line_amount FROM ledger_payout_allocations a JOIN ledger_lines l ON l.id = a.line_id
        WHERE a.stripe_payout_id = $1 ORDER BY a.position`,
      [attempt.stripe_payout_id],
    );
    expect(rows.every((r) => r.account === 'connected_cash_available' && r.seller_id === seller.id)).toBe(true);
    expect(rows.filter((r) => BigInt(r.amount) < 0n).map((r) => r.amount)).toEqual(['-1000']); // the refund's debit, though newer than what the payout took
    expect(rows.reduce((sum, r) => sum + BigInt(r.amount), 0n)).toBe(available);
    expect(await allocatedTotal(t, attempt.stripe_payout_id!)).toMatchObject({ allocated: available, released: 0n, rows: rows.length });
    await expectBooksMatchStripe(t);
  });

  it('500, a lost answer and a 429 on POST /v1/payouts: one payout, under the one key', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Faulty Pottery' });
    const amount = BigInt(await availableAtStripe(t, seller.account)) - 100n;
    // more than the gateway's own retries (3): the worker's next pass looks the lost one up
    for (const kind of ['error_500', 'lose_response', 'rate_limit', 'error_500', 'error_500'] as const) t.sandbox.control.addFault({ method: 'POST', path: '/v1/payouts', kind, count: 1 });
    t.sandbox.control.resetRequestStats();
    // Stripe's events held: only the worker's look-up can learn what the lost answer made
    t.sandbox.control.setWebhookFaults({ outage: true });
    const id = await approvedRequest(t, seller, amount);
    const attempt = await createdAttempt(id);
    t.sandbox.control.clearFaults();
    t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    // the gateway's attempts all failed (the lost one made the payout); the worker's next pass looked it up rather than sending again
    expect(t.sandbox.control.requestStats({ key: 'POST /v1/payouts', windowSeconds: 600 }).total).toBe(4);
    expect(t.sandbox.control.requestStats({ key: 'GET /v1/payouts', windowSeconds: 600 }).total).toBeGreaterThanOrEqual(1);
    expect(attempt.submit_attempts).toBe(1);
    const atStripe = await stripePayoutsOfRequest(t, seller.account, id);
    expect(atStripe.map((p) => p.id)).toEqual([attempt.stripe_payout_id]);
    expect(attempt.idempotency_key).toBe(`payout:${attempt.id}`);
    await payoutArrives();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid');
    expect((await stripePayoutsOfRequest(t, seller.account, id)).length).toBe(1);
    await expectBooksMatchStripe(t);
  });

  it('a failing bank account (account_closed): failed with the remedy; the funds are back in the ledger and at Stripe', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Closed Pottery', accountNumber: '000111111113' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const id = await approvedRequest(t, seller, available);
    const attempt = await createdAttempt(id);
    expect(await availableAtStripe(t, seller.account)).toBe(0);
    await payoutArrives();
    const failed = await waitForRequest(t, id, (r) => r.status === 'failed', 'failed');
    expect(failed.status_code).toBe('PAYOUTS.PAYOUT_FAILED');
    expect(failed.status_reason).toMatch(/closed/);
    expect(failed.status_reason).toMatch(/Express dashboard/);
    expect((await attemptRows(t, id))[0]).toMatchObject({ status: 'failed', failure_code: 'account_closed', stripe_status: 'failed' });
    // funds back: at Stripe and in the ledger, the payout's links released
    expect(BigInt(await availableAtStripe(t, seller.account))).toBe(available);
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(available);
    expect(await allocatedTotal(t, attempt.stripe_payout_id!)).toMatchObject({ allocated: available, released: -available });
    await expectBooksMatchStripe(t);
  });

  it('paid, then failed days later (Stripe documents it): reopened with the remedy, funds back; an admin retry makes a new attempt with a new key, paid', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Late Pottery' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const id = await approvedRequest(t, seller, available);
    const first = await createdAttempt(id);
    await payoutArrives();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid');

    t.sandbox.control.failPayout(first.stripe_payout_id!, 'no_account');
    await t.sandbox.control.webhooksIdle();
    const reopened = await waitForRequest(t, id, (r) => r.status === 'failed', 'failed after paid');
    expect(reopened).toMatchObject({ status_code: 'PAYOUTS.PAYOUT_FAILED', paid_at: null });
    expect(reopened.status_reason).toMatch(/Express dashboard/);
    expect((await attemptRows(t, id))[0]).toMatchObject({ status: 'failed', failure_code: 'no_account' });
    expect(BigInt(await availableAtStripe(t, seller.account))).toBe(available);
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(available);
    await expectBooksMatchStripe(t);

    // replays and late events in any order end in the same state: each re-reads the payout (failed);
    // even a stale read saying paid never undoes the failure
    const handler = t.app.get(PayoutEventsHandler);
    const db = t.app.get(DataSource);
    for (const type of ['payout.paid', 'payout.created', 'payout.updated', 'payout.failed', 'payout.paid']) {
      const event = { id: `evt_replay_${randomUUID()}`, type, account: seller.account, livemode: false, created: new Date(), apiVersion: null, objectId: first.stripe_payout_id, payload: {} };
      const loaded = await handler.load(event);
      await db.transaction((tx) => handler.apply(event, tx, loaded));
    }
    const stale = { ...(await t.app.get(StripeGateway).retrievePayout(first.stripe_payout_id!, seller.account)), status: 'paid', failureBalanceTransaction: null };
    await db.transaction((tx) => t.app.get(PayoutLifecycle).apply(tx, seller.account, stale));
    expect(await requestRow(t, id)).toMatchObject({ status: 'failed', status_code: 'PAYOUTS.PAYOUT_FAILED' });
    expect((await attemptRows(t, id))[0]).toMatchObject({ status: 'failed', stripe_status: 'failed' });
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(available);
    expect(await allocatedTotal(t, first.stripe_payout_id!)).toMatchObject({ allocated: available, released: -available });

    const admin = await createPrincipal(t, 'admin');
    // another open request of the seller and currency: this one cannot be reopened beside it
    const [other]: Array<{ id: string }> = await db.query(
      `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required)
       VALUES ($1, $2, 'USD', 100, 'admin', $3, 'another (test)', 'pending_review', 1) RETURNING id`,
      [seller.id, seller.account, admin.id],
    );
    const blocked = await t.http.post(`/admin/payouts/${id}/retry`).set(bearer(admin.key)).set('Idempotency-Key', randomUUID()).send().expect(409);
    expect(blocked.body.error).toMatchObject({ code: 'PAYOUTS.OPEN_REQUEST_EXISTS' });
    expect((await requestRow(t, id)).status).toBe('failed');
    await db.query(`UPDATE payout_requests SET status = 'canceled' WHERE id = $1`, [other!.id]);
    const key = randomUUID();
    const retried = await t.http.post(`/admin/payouts/${id}/retry`).set(bearer(admin.key)).set('Idempotency-Key', key).send().expect(200);
    expect(retried.body).toMatchObject({ id, status: 'approved', statusCode: null, attempts: [{ id: first.id, status: 'failed', failureCode: 'no_account' }] });
    // the same key replays; another key on a request that is no longer failed is refused
    await t.http.post(`/admin/payouts/${id}/retry`).set(bearer(admin.key)).set('Idempotency-Key', key).send().expect(200);
    const seller2 = await createPrincipal(t, 'seller');
    await t.http.post(`/admin/payouts/${id}/retry`).set(bearer(seller2.key)).set('Idempotency-Key', randomUUID()).send().expect(403);

    const second = await waitFor(
      async () => {
        const rows = await attemptRows(t, id);
        return rows.length === 2 && rows[1]!.stripe_payout_id ? rows[1] : undefined;
      },
      20_000,
      'a second attempt',
    );
    expect(second.idempotency_key).toBe(`payout:${second.id}`);
    expect(second.idempotency_key).not.toBe(first.idempotency_key);
    await payoutArrives();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid again');
    const conflict = await t.http.post(`/admin/payouts/${id}/retry`).set(bearer(admin.key)).set('Idempotency-Key', randomUUID()).send().expect(409);
    expect(conflict.body.error).toMatchObject({ code: 'PAYOUTS.NOT_RETRYABLE' });
    expect((await stripePayoutsOfRequest(t, seller.account, id)).map((p) => [p.metadata?.payout_attempt_id, p.status])).toEqual(
      expect.arrayContaining([
        [first.id, 'failed'],
        [second.id, 'paid'],
      ]),
    );
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(0n);
    expect(await allocatedTotal(t, second.stripe_payout_id!)).toMatchObject({ allocated: available, released: 0n });
    await expectBooksMatchStripe(t);
  });

  it('a freeze after approval (an open inquiry): frozen with the reason, nothing paid; lifted -> paid', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Frozen Pottery' });
    const available = BigInt(await availableAtStripe(t, seller.account));
    const buyer = await createPrincipal(t, 'buyer');
    const order = await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 2_000, title: 'Plate' }));
    const inquiry = t.sandbox.control.inquiry(order.chargeId);
    await t.sandbox.control.webhooksIdle();
    await waitFor(async () => ((await getOrder(t, order.id)).disputes?.length > 0 ? true : undefined), 15_000, 'inquiry recorded');

    const id = await approvedRequest(t, seller, available);
    const frozen = await waitForRequest(t, id, (r) => r.status === 'frozen', 'frozen');
    expect(frozen.status_code).toBe('PAYOUTS.FROZEN');
    expect(frozen.status_reason).toContain(`dispute ${inquiry.id} is open`);
    await new Promise((r) => setTimeout(r, 500)); // several passes: still frozen, nothing sent
    expect((await requestRow(t, id)).status).toBe('frozen');
    expect(await attemptRows(t, id)).toEqual([]);
    expect(await stripePayoutsOfRequest(t, seller.account, id)).toEqual([]);

    t.sandbox.control.closeDispute(inquiry.id, 'warning_closed');
    await t.sandbox.control.webhooksIdle();
    await createdAttempt(id);
    await payoutArrives();
    await waitForRequest(t, id, (r) => r.status === 'paid', 'paid once lifted');
    expect((await stripePayoutsOfRequest(t, seller.account, id)).length).toBe(1);
    await expectBooksMatchStripe(t);
  });
});
