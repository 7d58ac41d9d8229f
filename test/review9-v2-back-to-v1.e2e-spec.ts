// Review 9: the inverse of accounts-v1-to-v2. A platform on Accounts v2 (the default) sets
// STRIPE_ACCOUNTS_API back to v1: its v2 sellers keep their v2 accounts (linked and read through v2,
// resumed creations too), new sellers get v1 accounts, and one cart pays both. Two app instances
// on one database and one Stripe: the first on v2 (where Stripe's deliveries arrive), the second on v1.
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { me, onboardingLink, pathOf, sellerWithAccount, submitOnboarding, waitForEventStatus } from './support/onboarding.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { paidCart, waitForTransfers } from './support/transfers.js';

let v2: TestApp;
let v1: TestApp;
let sql: SqlClient;
let old: ActiveSeller;

beforeAll(async () => {
  v2 = await startTestApp();
  sql = sqlClient(v2.databaseUrl);
  old = await createActiveSeller(v2, 'Seller of the v2 days');
  v1 = await startTestApp({ databaseUrl: v2.databaseUrl, sandbox: v2.sandbox, env: { STRIPE_ACCOUNTS_API: 'v1' } });
});
afterAll(async () => {
  await sql?.end();
  await v1?.close();
  await v2?.close();
});

const apiOf = async (sellerId: string) => (await sql.one<{ accounts_api: string }>(`SELECT accounts_api FROM seller_accounts WHERE seller_id = $1`, [sellerId])).accounts_api;
const calls = (key: string) => v2.sandbox.control.requestStats({ key }).total;

describe('switching STRIPE_ACCOUNTS_API from v2 back to v1', () => {
  it('the v2 seller is linked and read through v2 by the v1-set instance', async () => {
    expect(await apiOf(old.id)).toBe('v2');
    const before = await me(v2, old);
    expect(await me(v1, old)).toEqual(before);
    await v2.sandbox.control.webhooksIdle();
    v2.sandbox.control.resetRequestStats();
    const back = await submitOnboarding(await onboardingLink(v1, old), 'complete');
    const json = await v1.http.get(pathOf(back)).set('Accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ account: old.account, status: 'active' });
    expect(calls('POST /v2/core/account_links')).toBe(1);
    expect(calls('GET /v2/core/accounts/*')).toBeGreaterThanOrEqual(1);
    expect(calls('POST /v1/account_links') + calls('GET /v1/accounts/*')).toBe(0);
  });

  it('a v2 creation resumed after the switch stays v2: the same key, the same account', async () => {
    const seller = await createPrincipal(v2, 'seller');
    const made = (await v2.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201)).body.stripeAccountId as string;
    await sql.query(`UPDATE seller_accounts SET stripe_account_id = NULL WHERE seller_id = $1`, [seller.id]);
    const again = await v1.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201);
    expect(again.body.stripeAccountId).toBe(made);
    expect(await apiOf(seller.id)).toBe('v2');
  });

  it('a new seller gets a v1 account; one cart pays both; the books match Stripe', async () => {
    const fresh = await sellerWithAccount(v1, { businessName: 'Seller of the v1 days again' });
    expect(await apiOf(fresh.id)).toBe('v1');
    await submitOnboarding(await onboardingLink(v1, fresh), 'complete');
    await waitForEventStatus(v1, fresh, 'active');
    const buyer = await createPrincipal(v1, 'buyer');
    const cup = await createListing(v1, old, { unitAmount: 1_800, title: 'Cup (v2 seller)' });
    const jug = await createListing(v1, fresh, { unitAmount: 2_200, title: 'Jug (v1 seller)' });
    const cart = await paidCart(v1, buyer, [
      { listingId: cup, quantity: 1 },
      { listingId: jug, quantity: 1 },
    ]);
    const transfers = await waitForTransfers(v1, cart.id as string, (tr) => tr.status === 'succeeded', 'both sellers transferred');
    expect(transfers.map((tr) => tr.destination).sort()).toEqual([old.account, fresh.account].sort());
    await expectBooksMatchStripe(v1);
  });
});
