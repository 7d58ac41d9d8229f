// Issue 13, payout mode: with PAYOUT_MODE=reviewed every connected account is on a manual payout
// schedule (set at account creation, and by the worker's pass for accounts that existed before the
// switch), so Stripe never pays a seller out on its own; with automatic the schedule is untouched.
// Real app (twice, one database: automatic, then an instance with reviewed beside it), real
// PostgreSQL, one sandbox.
import { DataSource } from 'typeorm';
import { ManualPayoutSchedules } from '../apps/marketplace/src/payouts/manual-payout-schedules.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let automatic: TestApp;
let reviewed: TestApp | undefined;

beforeAll(async () => {
  // the older seller is a v1 account, the newer one a v2 account: both get the manual schedule
  automatic = await startTestApp({ env: { PAYOUT_MODE: 'automatic', STRIPE_ACCOUNTS_API: 'v1' } });
});
afterAll(async () => {
  await reviewed?.close();
  await automatic?.close();
});

const interval = async (t: TestApp, account: string) => (await t.stripe.balanceSettings.retrieve({}, { stripeAccount: account })).payments.payouts?.schedule?.interval;
const payoutsOf = async (t: TestApp, account: string) => (await t.stripe.payouts.list({ limit: 100 }, { stripeAccount: account })).data;
const availableOf = async (t: TestApp, account: string) => (await t.stripe.balance.retrieve({}, { stripeAccount: account })).available.reduce((sum, b) => sum + b.amount, 0);

async function sellOne(t: TestApp, seller: ActiveSeller, unitAmount: number): Promise<void> {
  const buyer = await createPrincipal(t, 'buyer');
  await paidOrder(t, buyer, await createListing(t, seller, { unitAmount, title: 'Vase' }));
}

describe('PAYOUT_MODE', () => {
  let older: ActiveSeller;

  it('automatic: the schedule is left as Stripe set it and Stripe pays the seller out on its own', async () => {
    const t = automatic;
    older = await createActiveSeller(t, 'Older Pottery');
    await sellOne(t, older, 4_000);
    await expectBooksMatchStripe(t);
    expect(await interval(t, older.account)).toBe('daily');
    const [payout] = await payoutsOf(t, older.account);
    expect(payout?.automatic).toBe(true);
    // still shown to admins: the payout no one requested, as the ledger booked it
    await waitFor(
      async () => {
        const list = (await t.http.get('/admin/stripe-payouts').query({ sellerId: older.id }).set(bearer(t.adminKey)).expect(200)).body;
        return list.data.length > 0 ? list : undefined;
      },
      15_000,
      'the automatic payout booked',
    ).then((list) =>
      expect(list.data).toEqual([
        expect.objectContaining({
          stripePayoutId: payout!.id,
          sellerId: older.id,
          stripeAccount: older.account,
          amount: String(payout!.amount),
          currency: 'USD',
          madeBy: 'stripe',
          attempt: null,
          returned: false,
        }),
      ]),
    );
    // a seller key cannot read it
    const seller = await createPrincipal(t, 'seller');
    await t.http.get('/admin/stripe-payouts').set(bearer(seller.key)).expect(403);
  });

  it('reviewed: no automatic payout ever, for a seller onboarded now and for one onboarded under automatic; the schedules read back manual', async () => {
    // the new setting rolled out: an instance on the same database with PAYOUT_MODE=reviewed (the
    // first one stays where Stripe's deliveries arrive; in automatic mode it never touches a schedule)
    reviewed = await startTestApp({ databaseUrl: automatic.databaseUrl, sandbox: automatic.sandbox, env: { PAYOUT_MODE: 'reviewed', STRIPE_ACCOUNTS_API: 'v2' } });
    const t = reviewed;
    // the worker's pass puts the account that existed before the switch on the manual schedule
    await waitFor(async () => ((await interval(t, older.account)) === 'manual' ? true : undefined), 15_000, 'older seller on a manual schedule');
    const newer = await createActiveSeller(t, 'Newer Pottery');
    expect(await interval(t, newer.account)).toBe('manual');
    const olderPayouts = (await payoutsOf(t, older.account)).map((p) => p.id);

    await sellOne(t, older, 3_000);
    await sellOne(t, newer, 5_000);
    // past the funds' availability and past several days of the automatic schedule
    await expectBooksMatchStripe(t, { advanceSeconds: 10 * 86_400 });

    expect((await payoutsOf(t, newer.account)).map((p) => p.id)).toEqual([]);
    expect((await payoutsOf(t, older.account)).map((p) => p.id)).toEqual(olderPayouts);
    expect(await availableOf(t, newer.account)).toBeGreaterThan(0);
    expect(await availableOf(t, older.account)).toBeGreaterThan(0);
    expect([await interval(t, older.account), await interval(t, newer.account)]).toEqual(['manual', 'manual']);
    const rows: Array<{ seller_id: string; set: boolean }> = await t.app
      .get(DataSource)
      .query(`SELECT seller_id, payout_schedule_set_at IS NOT NULL AS set FROM seller_accounts WHERE seller_id = ANY($1) ORDER BY seller_id`, [[older.id, newer.id]]);
    expect(rows.every((r) => r.set)).toBe(true);
    await expectBooksMatchStripe(t);
  });

  it('reviewed: a schedule Stripe failed to set loses no account; the next pass sets it under a new key', async () => {
    const t = reviewed!;
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/balance_settings', kind: 'error_500', count: 100 });
    const seller = await createPrincipal(t, 'seller');
    const created = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201);
    t.sandbox.control.clearFaults();
    const account: string = created.body.stripeAccountId;
    const row = async () =>
      (await t.app.get(DataSource).query(`SELECT payout_schedule_set_at IS NOT NULL AS set, payout_schedule_attempts AS attempts FROM seller_accounts WHERE seller_id = $1`, [seller.id]))[0];
    expect({ row: await row(), interval: await interval(t, account) }).toEqual({ row: { set: false, attempts: 1 }, interval: 'daily' });

    expect(await t.app.get(ManualPayoutSchedules).setMissing()).toEqual({ set: 1, failed: 0 });
    expect({ row: await row(), interval: await interval(t, account) }).toEqual({ row: { set: true, attempts: 2 }, interval: 'manual' });
    expect(await t.app.get(ManualPayoutSchedules).setMissing()).toEqual({ set: 0, failed: 0 });
  });
});
