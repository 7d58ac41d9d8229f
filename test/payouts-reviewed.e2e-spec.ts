// Issue 13 end to end, only through the API a seller and admins use (no SQL-made requests): the
// seller asks for a payout, an admin approves, the worker makes one Stripe payout, Stripe pays it,
// the ledger moves the amount and the balance check passes; a larger one needs a second admin, and
// 20 admins approving it at once still make one Stripe payout. Real app (PAYOUT_MODE=reviewed),
// real PostgreSQL, the sandbox.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createListing } from './factories/seller.factory.js';
import { balance, expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { allocatedTotal, availableAtStripe, sellerWithAvailableFunds, stripePayoutsOfRequest } from './support/payout-execution.js';
import { admins, approve, auditOf, type AuditJson } from './support/payout-review.js';
import { waitFor } from './support/process.js';
import { testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_TWO_PERSON_THRESHOLD: '5000', PAYOUT_MINIMUM: '100', PAYOUT_EXECUTION_POLL_MS: '100' });

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, read loosely as supertest's `body` is
type PayoutJson = Record<string, any>;

const requestPayout = (seller: PrincipalWithKey, body: object, key: string = randomUUID()) => t.http.post('/sellers/me/payouts').set(bearer(seller.key)).set('Idempotency-Key', key).send(body);

async function sellersRequest(seller: PrincipalWithKey, id: string) {
  const list = (await t.http.get('/sellers/me/payouts').set(bearer(seller.key)).expect(200)).body.data as PayoutJson[];
  return list.find((r) => r.id === id);
}

function waitForSellerStatus(seller: PrincipalWithKey, id: string, status: string) {
  return waitFor(
    async () => {
      const r = await sellersRequest(seller, id);
      return r?.status === status ? r : undefined;
    },
    20_000,
    `request ${id} ${status}`,
  );
}

/** Past the payout's arrival: Stripe pays it and tells us. */
async function payoutArrives(): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
}

describe('reviewed payouts, through the API', () => {
  it('seller requests -> an admin approves -> one Stripe payout -> payout.paid -> paid; the ledger moved the amount; the balance check passes', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Reviewed Pottery', unitAmount: 4_000 });
    const available = await availableAtStripe(t, seller.account);
    const amount = available - 500;
    await expectBooksMatchStripe(t);

    const asked = await requestPayout(seller, { amount, currency: 'usd' }).expect(201);
    expect(asked.body).toMatchObject({ status: 'pending_review', amount: String(amount), currency: 'USD', origin: 'seller', approvalsRequired: 1, attempts: [] });
    // nothing is paid before an admin approves, however long Stripe's schedule runs
    await payoutArrives();
    expect((await t.stripe.payouts.list({ limit: 10 }, { stripeAccount: seller.account })).data).toEqual([]);

    // a seller key cannot approve; the admin can, once
    await approve(t, asked.body.id, seller.key).expect(403);
    const approved = await approve(t, asked.body.id, t.adminKey).expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvals: [expect.objectContaining({ adminId: expect.any(String) })] });

    const executing = await waitFor(
      async () => {
        const r = await sellersRequest(seller, asked.body.id);
        return r?.attempts?.[0]?.stripePayoutId ? r : undefined;
      },
      20_000,
      'the payout made at Stripe',
    );
    expect(executing.status).toBe('executing');
    await payoutArrives();
    const paid = await waitForSellerStatus(seller, asked.body.id, 'paid');
    expect(paid.attempts).toEqual([expect.objectContaining({ status: 'paid', stripePayoutId: executing.attempts[0].stripePayoutId })]);

    const atStripe = await stripePayoutsOfRequest(t, seller.account, asked.body.id);
    expect(atStripe.map((p) => [p.amount, p.currency, p.status])).toEqual([[amount, 'usd', 'paid']]);
    expect(await availableAtStripe(t, seller.account)).toBe(500);
    // the ledger: the seller's available cash and payable went down by the payout, and it says what it paid out
    expect(await balance(t, 'connected_cash_available', 'USD', seller.id)).toBe(500n);
    expect(await balance(t, 'seller_payable_available', 'USD', seller.id)).toBe(500n);
    expect(await allocatedTotal(t, atStripe[0]!.id)).toMatchObject({ allocated: BigInt(amount), released: 0n });
    // admins see it among the payouts Stripe made, as the request's
    const booked = (await t.http.get('/admin/stripe-payouts').query({ sellerId: seller.id }).set(bearer(t.adminKey)).expect(200)).body.data;
    expect(booked).toEqual([
      expect.objectContaining({ stripePayoutId: atStripe[0]!.id, amount: String(amount), madeBy: 'request', attempt: expect.objectContaining({ requestId: asked.body.id, status: 'paid' }) }),
    ]);

    // every action on it is in the audit log, oldest first
    const actions = (await auditOf(t, asked.body.id)).map((e: AuditJson) => e.action);
    expect(actions[0]).toBe('created');
    expect(actions).toEqual(expect.arrayContaining(['approved', 'payout.executing', 'payout.paid']));
    await expectBooksMatchStripe(t);
  });

  it('above the threshold two distinct admins approve; 20 admins at once still make exactly one Stripe payout', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Big Pottery', unitAmount: 9_000 });
    const buyer = await createPrincipal(t, 'buyer');
    await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 1_000, title: 'Cup' }));
    await payoutArrives();
    await expectBooksMatchStripe(t);
    const available = await availableAtStripe(t, seller.account);
    expect(available).toBeGreaterThan(5_000);

    const key = randomUUID();
    const asked = await requestPayout(seller, { currency: 'usd' }, key).expect(201);
    expect(asked.body).toMatchObject({ status: 'pending_review', amount: String(available), approvalsRequired: 2 });
    // the seller's retry with its key is the same request; another key while it is open is refused
    expect((await requestPayout(seller, { currency: 'usd' }, key).expect(201)).body.id).toBe(asked.body.id);
    const again = await requestPayout(seller, { currency: 'usd' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PAYOUTS.OPEN_REQUEST_EXISTS');

    const twenty = await admins(t, 20);
    const answers = await Promise.all(twenty.map((a) => approve(t, asked.body.id, a.key)));
    expect(answers.map((r) => r.status).sort()).toEqual([...Array(2).fill(200), ...Array(18).fill(409)]);
    expect(answers.filter((r) => r.status === 409).every((r) => r.body.error.code === 'PAYOUTS.NOT_IN_REVIEW')).toBe(true);
    const last = answers.filter((r) => r.status === 200).find((r) => r.body.status === 'approved');
    expect(last?.body.approvals).toHaveLength(2);

    await waitFor(async () => ((await sellersRequest(seller, asked.body.id))?.attempts?.[0]?.stripePayoutId ? true : undefined), 20_000, 'the payout made');
    await payoutArrives();
    await waitForSellerStatus(seller, asked.body.id, 'paid');
    const atStripe = await stripePayoutsOfRequest(t, seller.account, asked.body.id);
    expect(atStripe.map((p) => [p.amount, p.status])).toEqual([[available, 'paid']]);
    expect((await t.stripe.payouts.list({ limit: 10 }, { stripeAccount: seller.account })).data).toHaveLength(1);
    expect(await availableAtStripe(t, seller.account)).toBe(0);
    await expectBooksMatchStripe(t);
  });
});
