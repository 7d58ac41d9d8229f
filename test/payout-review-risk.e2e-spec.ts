// Issue 13, the review queue's risk flags: for sellers set up to trigger each one, GET /admin/payouts
// shows the flag with the reason it fired; a calm seller shows none. History is built through the
// API and the sandbox (orders paid, one refunded, one disputed with the dispute card; a seller left
// with requirements past due by the hosted onboarding; a Thai seller's funds made available by the
// sandbox clock), and with SQL only where waiting is impossible: the calm seller's account age
// (created_at moved back 400 days) and their earlier paid payouts (payout_requests rows inserted
// paid: paying them is the execution part of the issue). Real app, real PostgreSQL, the sandbox.
import { PayoutHoldLimitWorker } from '../apps/marketplace/src/payouts/payout-hold-limit.worker.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { me, onboardingLink, submitOnboarding, waitForEventStatus } from './support/onboarding.js';
import { waitFor } from './support/process.js';
import { insertReviewRequest, reject } from './support/payout-review.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { fundsAvailable, refundOrder, testAppForFile } from './support/transfers.js';

// reviewed mode: accounts on manual payouts, so funds stay until paid out; two paid orders are
// enough for a rate; a Thai seller's 10-day limit is near from the day funds are available
const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_RISK_RATE_MIN_ORDERS: '2', PAYOUT_HOLD_LIMIT_WARN_DAYS: '14' });
let sql: SqlClient;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  sql = sqlClient(t.databaseUrl);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await sql?.end();
});

const DISPUTE_CARD = '4000000000000259';

async function queueItem(sellerId: string) {
  const res = await t.http.get('/admin/payouts').query({ status: 'pending_review', sellerId }).set(bearer(t.adminKey)).expect(200);
  expect(res.body.data).toHaveLength(1);
  return res.body.data[0];
}
const flagsOf = (item: { riskFlags: Array<{ code: string; reason: string }> }) => item.riskFlags;

async function sell(seller: ActiveSeller, unitAmount: number, card?: string) {
  return paidOrder(t, buyer, await createListing(t, seller, { unitAmount }), 1, card);
}

describe('risk flags in the review queue', () => {
  it('a calm seller (a year old, a steady payout history, no refunds or disputes) shows none; an amount three times their median shows that one', async () => {
    const calm = await createActiveSeller(t, 'Calm Ceramics');
    await sell(calm, 2_000);
    await sell(calm, 3_000);
    await sql.query(`UPDATE seller_accounts SET created_at = now() - interval '400 days' WHERE seller_id = $1`, [calm.id]);
    for (const amount of [9_000, 10_000, 11_000]) {
      await sql.query(
        `INSERT INTO payout_requests (seller_id, stripe_account, currency, amount, origin, requested_by, reason, status, approvals_required, paid_at, created_at)
         VALUES ($1, $2, 'USD', $3, 'seller', $1, 'an earlier payout', 'paid', 1, now() - interval '30 days', now() - interval '31 days')`,
        [calm.id, calm.account, amount],
      );
    }
    const usual = await insertReviewRequest(sql, { seller: calm, amount: 10_000 });
    const item = await queueItem(calm.id);
    expect(item.id).toBe(usual);
    expect(flagsOf(item)).toEqual([]);
    expect(item.activity).toMatchObject({ orders: { count: 2 }, refunds: { count: 0 }, disputes: { count: 0, open: 0 }, window: { paidOrders: 2, refundedOrders: 0, disputedOrders: 0 } });
    expect(item.activity.orders.recent).toHaveLength(2);

    await reject(t, usual, t.adminKey, { reason: 'asked again for more' }).expect(200);
    await insertReviewRequest(sql, { seller: calm, amount: 30_000 });
    expect(flagsOf(await queueItem(calm.id))).toEqual([{ code: 'amount_above_median', reason: "USD 300.00 is at least 3 times the seller's median paid payout of USD 100.00 (over 3 payouts)" }]);
    await expectBooksMatchStripe(t);
  });

  it('a new seller with a refunded order and a disputed one: new seller, open dispute, refund rate and dispute rate, each with its reason', async () => {
    const risky = await createActiveSeller(t, 'Risky Rugs');
    const refunded = await sell(risky, 4_000);
    await refundOrder(t, refunded.id, { amount: 4_000 }).expect(201);
    await waitForOrder(t, refunded.id, (o) => o.status === 'refunded', 'order refunded');
    const disputed = await sell(risky, 5_000, DISPUTE_CARD);
    const order = await waitForOrder(t, disputed.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'dispute recorded');
    const dp = order.disputes[0].stripeDisputeId as string;

    await insertReviewRequest(sql, { seller: risky, amount: 1_000 });
    const item = await queueItem(risky.id);
    expect(flagsOf(item)).toEqual([
      { code: 'new_seller', reason: "The seller's connected account is 0 day(s) old, younger than 30 days" },
      { code: 'open_dispute', reason: `1 dispute(s) or inquiry(ies) open: ${dp} (needs_response)` },
      { code: 'refund_rate', reason: '1 of 2 orders paid in the last 90 days were refunded (5000 bps), at or above 1000 bps' },
      { code: 'dispute_rate', reason: '1 of 2 orders paid in the last 90 days were disputed (5000 bps), at or above 75 bps' },
    ]);
    expect(item.activity.refunds).toMatchObject({ count: 1, recent: [{ orderId: refunded.id, status: 'succeeded', amount: '4000' }] });
    expect(item.activity.disputes).toMatchObject({ count: 1, open: 1, recent: [{ stripeDisputeId: dp, orderId: disputed.id, open: true }] });
    await expectBooksMatchStripe(t);
  });

  it('a restricted account (onboarding left with requirements past due, payouts disabled)', async () => {
    const seller = await createPrincipal(t, 'seller', 'Restricted Rattan');
    const created = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'US' }).expect(201);
    await submitOnboarding(await onboardingLink(t, seller), 'requirements_due');
    // the account stays pending (details not submitted) with a requirement past due and payouts disabled
    await waitFor(async () => ((await me(t, seller)).requirements.pastDue.length > 0 ? true : undefined), 15_000, 'requirements past due');
    await insertReviewRequest(sql, { seller: { id: seller.id, account: created.body.stripeAccountId } });
    const item = await queueItem(seller.id);
    expect(item.seller).toMatchObject({ payoutsEnabled: false, requirements: { disabledReason: 'requirements.past_due' } });
    const restricted = flagsOf(item).find((f) => f.code === 'restricted_account');
    expect(restricted?.reason).toMatch(/^The account is restricted: requirements past due: .+; payouts are disabled on the connected account; Stripe's disabled reason: requirements\.past_due$/);
    expect(flagsOf(item).map((f) => f.code)).toEqual(['new_seller', 'restricted_account']);
  });

  it("a Thai seller's available funds near Stripe's 10-day hold limit: flagged in the queue and listed at /admin/payouts/hold-limit; a US seller's are not", async () => {
    const thai = await createPrincipal(t, 'seller', 'Bangkok Batik');
    const created = await t.http.post('/sellers/me/connected-account').set(bearer(thai.key)).send({ country: 'TH' }).expect(201);
    await submitOnboarding(await onboardingLink(t, thai), 'complete');
    await waitForEventStatus(t, thai, 'active');
    const th: ActiveSeller = { ...thai, account: created.body.stripeAccountId };
    const us = await createActiveSeller(t, 'Boston Batik');
    await sell(th, 6_000);
    await sell(us, 6_000);
    await fundsAvailable(t);
    await expectBooksMatchStripe(t);

    await insertReviewRequest(sql, { seller: th, amount: 1_000 });
    const flag = flagsOf(await queueItem(th.id)).find((f) => f.code === 'hold_limit');
    expect(flag?.reason).toMatch(/^Funds available since \d{4}-\d\d-\d\d must be paid out by \d{4}-\d\d-\d\d, \d+ day\(s\) from now: Stripe's manual-payout limit for TH is 10 days$/);
    await insertReviewRequest(sql, { seller: us, amount: 1_000 });
    expect(flagsOf(await queueItem(us.id)).map((f) => f.code)).toEqual(['new_seller']);

    const list = (await t.http.get('/admin/payouts/hold-limit').set(bearer(t.adminKey)).expect(200)).body.data as Array<Record<string, unknown>>;
    const mine = list.filter((s) => s.sellerId === th.id || s.sellerId === us.id);
    expect(mine).toEqual([expect.objectContaining({ sellerId: th.id, stripeAccount: th.account, country: 'TH', limitDays: 10, past: false, reason: flag!.reason })]);
    expect(BigInt(mine[0]!.available as string)).toBeGreaterThan(0n);
    // the worker's pass tells admins of the same sellers (logged at error, alert payout_hold_limit: see its unit test)
    expect(await t.app.get(PayoutHoldLimitWorker).tellAdmins()).toBe(list.length);
    await t.http.get('/admin/payouts/hold-limit').set(bearer(thai.key)).expect(403);
    await expectBooksMatchStripe(t);
  });
});
