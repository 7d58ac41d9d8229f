// A platform that onboarded sellers with Accounts v1 switches STRIPE_ACCOUNTS_API to v2: the old
// sellers keep their v1 accounts (read, linked and paid through v1), new sellers get v2 accounts,
// and both are paid by the same orders. Two app instances on one database and one Stripe: the first
// set to v1 (where Stripe's deliveries arrive), the second to v2, the default.
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { me, onboardingLink, pathOf, sellerWithAccount, submitOnboarding, waitForEventStatus } from './support/onboarding.js';
import { waitFor } from './support/process.js';
import { inboxSettled } from './support/inbox.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { paidCart, waitForTransfers } from './support/transfers.js';

let v1: TestApp;
let v2: TestApp;
let sql: SqlClient;
let old: ActiveSeller;
let oldView: Record<string, unknown>;

beforeAll(async () => {
  v1 = await startTestApp({ env: { STRIPE_ACCOUNTS_API: 'v1' } });
  sql = sqlClient(v1.databaseUrl);
  old = await createActiveSeller(v1, 'Seller from the v1 days');
  // every event about the account worked first: a later sync would change lastSyncedFrom after the snapshot
  await inboxSettled(v1, sql);
  oldView = await me(v1, old);
  v2 = await startTestApp({ databaseUrl: v1.databaseUrl, sandbox: v1.sandbox });
});
afterAll(async () => {
  await sql?.end();
  await v2?.close();
  await v1?.close();
});

const apiOf = async (sellerId: string) => (await sql.one<{ accounts_api: string }>(`SELECT accounts_api FROM seller_accounts WHERE seller_id = $1`, [sellerId])).accounts_api;

describe('switching STRIPE_ACCOUNTS_API from v1 to v2', () => {
  it('the v1 seller reads the same after the switch, and is read through v1', async () => {
    expect(await apiOf(old.id)).toBe('v1');
    expect(await me(v2, old)).toEqual(oldView);
    expect(oldView).toMatchObject({ status: 'active', capabilities: { cardPayments: 'active', transfers: 'active' } });
    // a link and the return page through the v2-set instance: v1's link, v1's read (and the
    // account.updated the hosted page causes is read through v1 too)
    await v1.sandbox.control.webhooksIdle();
    v1.sandbox.control.resetRequestStats();
    const link = await onboardingLink(v2, old);
    const back = await submitOnboarding(link, 'complete');
    const json = await v2.http.get(pathOf(back)).set('Accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ account: old.account, status: 'active', chargesEnabled: true, payoutsEnabled: true });
    await v1.sandbox.control.webhooksIdle();
    await waitFor(
      async () => ((await sql.query(`SELECT 1 FROM webhook_events WHERE account = $1 AND status IN ('pending', 'processing')`, [old.account])).length === 0 ? true : undefined),
      10_000,
      'events worked',
    );
    const calls = (key: string) => v1.sandbox.control.requestStats({ key }).total;
    expect(calls('POST /v1/account_links')).toBe(1);
    expect(calls('GET /v1/accounts/*')).toBeGreaterThanOrEqual(1);
    expect(calls('POST /v2/core/account_links') + calls('GET /v2/core/accounts/*')).toBe(0);
    expect(await me(v2, old)).toMatchObject({ status: 'active', capabilities: { cardPayments: 'active', transfers: 'active' } });
    const v1Account = await v2.stripe.accounts.retrieve(old.account);
    expect(v1Account.controller).toMatchObject({ stripe_dashboard: { type: 'express' } });
  });

  it('a new seller gets a v2 account, onboarded by thin events', async () => {
    const fresh = await sellerWithAccount(v2, { businessName: 'Seller of the v2 days' });
    expect(await apiOf(fresh.id)).toBe('v2');
    await submitOnboarding(await onboardingLink(v2, fresh), 'complete');
    // the sandbox also sends v1 account.updated for a v2 account: read through v2 all the same
    await waitForEventStatus(v2, fresh, 'active');
    expect(await me(v2, fresh)).toMatchObject({ status: 'active', capabilities: { cardPayments: null, transfers: 'active' } });
  });

  it('orders pay the v1 seller and a v2 seller alike; the books match Stripe', async () => {
    const fresh = await sellerWithAccount(v2, { businessName: 'Another v2 seller' });
    await submitOnboarding(await onboardingLink(v2, fresh), 'complete');
    await waitForEventStatus(v2, fresh, 'active');
    const buyer = await createPrincipal(v2, 'buyer');
    const vase = await createListing(v2, old, { unitAmount: 1_500, title: 'Vase (v1 seller)' });
    const bowl = await createListing(v2, fresh, { unitAmount: 2_000, title: 'Bowl (v2 seller)' });

    const single = await paidOrder(v2, buyer, vase);
    expect((await v2.stripe.charges.retrieve(single.chargeId as string)).transfer_data?.destination).toBe(old.account);
    const cart = await paidCart(v2, buyer, [
      { listingId: vase, quantity: 1 },
      { listingId: bowl, quantity: 2 },
    ]);
    const transfers = await waitForTransfers(v2, cart.id as string, (tr) => tr.status === 'succeeded', 'both sellers transferred');
    expect(transfers.map((tr) => tr.destination).sort()).toEqual([old.account, fresh.account].sort());
    expect((await v2.http.get(`/sellers/${old.id}`).set(bearer(v2.adminKey)).expect(200)).body).toMatchObject({ status: 'active', stripeAccountId: old.account });
    await expectBooksMatchStripe(v2);
  });
});
