// Accounts v2 (the default, STRIPE_ACCOUNTS_API=v2) end to end: a seller onboards through the v2
// hosted page, thin events from the event destination make them active, and orders pay them.
// The Connect endpoint here gets no account.updated / capability.updated: only thin events (or the
// person coming back) can move a seller.
import Stripe from 'stripe';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { expectOneAccountFromConcurrentCreates, me, onboardingLink, pathOf, sellerWithAccount, submitOnboarding, waitForEventStatus, type Seller } from './support/onboarding.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { EVENTS_SECRET, startTestApp, type TestApp } from './support/test-app.js';
import { paidCart, waitForTransfers } from './support/transfers.js';

const CONNECT_EVENTS_BUT_ACCOUNTS = [
  'account.application.deauthorized',
  'balance.available',
  'payout.created',
  'payout.updated',
  'payout.paid',
  'payout.failed',
  'payout.canceled',
  'payout.reconciliation_completed',
  'transfer.created',
  'transfer.updated',
  'transfer.reversed',
  'charge.dispute.created',
  'charge.dispute.updated',
  'charge.dispute.closed',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.refunded',
  'refund.updated',
  'charge.refund.updated',
];

let t: TestApp;
let sql: SqlClient;

beforeAll(async () => {
  t = await startTestApp({ connectEnabledEvents: CONNECT_EVENTS_BUT_ACCOUNTS });
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});
afterEach(async () => {
  await t.sandbox.control.setWebhookFaults({ duplicate: 1, shuffle: false, outage: false });
  t.sandbox.control.clearFaults();
});

const signer = new Stripe('sk_test_signer');
const thinEventIds = async () => new Set((await sql.query<{ id: string }>(`SELECT id FROM webhook_events WHERE endpoint = 'events'`)).map((r) => r.id));
/** The seller reached `status` through a thin event (the event destination), not a v1 event or our own read. */
const byThinEvent = (seller: Seller, status: string) => waitForEventStatus(t, seller, status, async (from) => (await thinEventIds()).has(from));

async function activeV2Seller(name?: string): Promise<Seller> {
  const seller = await sellerWithAccount(t, name ? { businessName: name } : {});
  await submitOnboarding(await onboardingLink(t, seller), 'complete');
  await byThinEvent(seller, 'active');
  return seller;
}

function thinEvent(o: { id: string; account: string; type?: string; created?: string }): string {
  return JSON.stringify({
    id: o.id,
    object: 'v2.core.event',
    type: o.type ?? 'v2.core.account[requirements].updated',
    created: o.created ?? new Date().toISOString(),
    livemode: false,
    related_object: { id: o.account, type: 'v2.core.account', url: `/v2/core/accounts/${o.account}` },
  });
}
const deliverThin = (payload: string, header: string) => t.http.post('/webhooks/stripe/events').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload);
const sign = (payload: string, secret = EVENTS_SECRET, timestamp?: number) => signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });

describe('Accounts v2 (the default)', () => {
  it('seller -> v2 account -> v2 account link -> hosted page -> thin events -> active', async () => {
    const seller = await createPrincipal(t, 'seller');
    const created = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'us', businessName: 'Acme Ceramics' }).expect(201);
    expect(created.body).toMatchObject({ sellerId: seller.id, status: 'pending', country: 'US', businessName: 'Acme Ceramics', detailsSubmitted: false, lastSyncedFrom: 'api' });
    const account = created.body.stripeAccountId as string;

    // what Stripe holds: a v2 account, recipient of transfers, fees and losses the platform's, Express
    const v2 = await t.stripe.v2.core.accounts.retrieve(account, { include: ['configuration.recipient', 'configuration.merchant', 'defaults', 'identity'] });
    expect(v2).toMatchObject({
      dashboard: 'express',
      display_name: 'Acme Ceramics',
      metadata: { seller_id: seller.id },
      identity: { country: 'US' },
      defaults: { responsibilities: { fees_collector: 'application', losses_collector: 'application' } },
      applied_configurations: ['recipient'],
    });
    expect(v2.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers).toBeDefined();
    expect(v2.configuration?.merchant).toBeUndefined();
    const row = await sql.one<{ accounts_api: string }>(`SELECT accounts_api FROM seller_accounts WHERE seller_id = $1`, [seller.id]);
    expect(row.accounts_api).toBe('v2');

    // a second call changes nothing
    expect((await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'DE' }).expect(200)).body).toMatchObject({ stripeAccountId: account, country: 'US' });

    const link = await onboardingLink(t, { ...seller });
    expect((await fetch(link)).status).toBe(200);
    const returnUrl = await submitOnboarding(link, 'complete');
    expect(pathOf(returnUrl)).toMatch(new RegExp(`^/onboarding/return\\?account=${account}&token=`));

    // the person never comes back: thin events alone make the seller active
    const active = await byThinEvent({ ...seller, account }, 'active');
    expect(active).toMatchObject({
      stripeAccountId: account,
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      capabilities: { cardPayments: null, transfers: 'active' },
      requirements: { currentlyDue: [], pastDue: [], eventuallyDue: [], pendingVerification: [], currentDeadline: null, disabledReason: null },
      disconnectedAt: null,
    });
    expect(await t.app.get(SellerGate).assertCanReceivePayments(seller.id)).toBe(account);
    expect(await t.app.get(SellerGate).assertCanBePaidOut(seller.id)).toBe(account);
    const thin = await sql.query<{ type: string; status: string }>(`SELECT type, status FROM webhook_events WHERE endpoint = 'events' AND account = $1`, [account]);
    expect(thin.length).toBeGreaterThan(0);
    expect(thin.map((r) => r.type)).toContain('v2.core.account[configuration.recipient].capability_status_updated');

    // Stripe also says the seller came back through the v2 link (v2.core.account_link.returned: a thin
    // event without related object, the account in the fetched event's data): worked, not ignored
    await waitFor(
      async () => {
        const rows = await sql.query<{ id: string; status: string }>(`SELECT id, status FROM webhook_events WHERE type = 'v2.core.account_link.returned' AND endpoint = 'events'`);
        for (const row of rows) {
          const event = await t.stripe.v2.core.events.retrieve(row.id);
          if (event.type === 'v2.core.account_link.returned' && event.data.account_id === account && row.status === 'processed') return true;
        }
        return undefined;
      },
      10_000,
      'account_link.returned processed',
    );
    // the return page reads the account through v2 too
    const json = await t.http.get(pathOf(returnUrl)).set('Accept', 'application/json').expect(200);
    expect(json.body).toMatchObject({ account, status: 'active', chargesEnabled: true, payoutsEnabled: true, currentlyDue: [] });
    expect((await me(t, seller)).lastSyncedFrom).toBe('return');
    // the Express dashboard (a v1 login link for the v2 account)
    expect((await t.http.post('/sellers/me/dashboard-link').set(bearer(seller.key)).send().expect(201)).body.url).toContain(account);
  });

  it('a fresh v2 seller is pending with what is due; requirements left due keep them out of the gate', async () => {
    const seller = await sellerWithAccount(t);
    const fresh = await me(t, seller);
    expect(fresh).toMatchObject({ status: 'pending', detailsSubmitted: false, chargesEnabled: false, capabilities: { cardPayments: null, transfers: 'restricted' } });
    expect(fresh.requirements.pastDue.length).toBeGreaterThan(0);
    await submitOnboarding(await onboardingLink(t, seller), 'requirements_due');
    const due = await waitForEventStatus(
      t,
      seller,
      'pending',
      async (from, body) => (await thinEventIds()).has(from) && body.requirements.pastDue.includes('identity.individual.verification.document'),
    );
    expect(due.requirements).toMatchObject({ pastDue: ['identity.individual.verification.document'], disabledReason: 'requirements.past_due' });
    await expect(t.app.get(SellerGate).assertCanReceivePayments(seller.id)).rejects.toMatchObject({
      code: 'SELLER_NOT_ACTIVE',
      message: expect.stringMatching(/identity\.individual\.verification\.document/),
    });
    await submitOnboarding(await onboardingLink(t, seller), 'complete');
    await byThinEvent(seller, 'active');
  });

  it('submitted while Stripe still verifies: restricted, pending verification, nothing due; verified -> active', async () => {
    const seller = await sellerWithAccount(t);
    await submitOnboarding(await onboardingLink(t, seller), 'pending');
    const waiting = await waitForEventStatus(t, seller, 'restricted', async (from) => (await thinEventIds()).has(from));
    expect(waiting).toMatchObject({
      detailsSubmitted: true,
      chargesEnabled: false,
      capabilities: { cardPayments: null, transfers: 'pending' },
      requirements: { currentlyDue: [], pastDue: [], pendingVerification: [expect.stringContaining('verification.document')], disabledReason: 'requirements.pending_verification' },
    });
    t.sandbox.control.finishVerification(seller.account, 'verified');
    expect(await byThinEvent(seller, 'active')).toMatchObject({ requirements: { pendingVerification: [] } });
  });

  it('a destination charge and a separate-transfers order pay the v2 seller; the books match Stripe', async () => {
    const seller = await activeV2Seller('V2 Pottery');
    const other = await activeV2Seller('V2 Lamps');
    const buyer = await createPrincipal(t, 'buyer');
    const mug = await createListing(t, seller, { unitAmount: 2_500, title: 'Mug' });
    const lamp = await createListing(t, other, { unitAmount: 4_000, title: 'Lamp' });

    const order = await paidOrder(t, buyer, mug, 2);
    expect(order).toMatchObject({ status: 'paid' });
    const charge = await t.stripe.charges.retrieve(order.chargeId as string);
    expect(charge.transfer_data?.destination).toBe(seller.account);

    const cart = await paidCart(t, buyer, [
      { listingId: mug, quantity: 1 },
      { listingId: lamp, quantity: 1 },
    ]);
    const transfers = await waitForTransfers(t, cart.id as string, (tr) => tr.status === 'succeeded', 'cart transfers made');
    expect(transfers.map((tr) => tr.destination).sort()).toEqual([seller.account, other.account].sort());
    await expectBooksMatchStripe(t);
  });

  it('thin events duplicated and shuffled are stored once each and leave the seller where Stripe says; a replay changes nothing', async () => {
    await t.sandbox.control.setWebhookFaults({ duplicate: 3, shuffle: true });
    const seller = await sellerWithAccount(t);
    await submitOnboarding(await onboardingLink(t, seller), 'requirements_due');
    await submitOnboarding(await onboardingLink(t, seller), 'complete');
    await t.sandbox.control.webhooksIdle();
    await byThinEvent(seller, 'active');
    const rows = await waitFor(
      async () => {
        // v2.core.account.created arrives before our creation call has stored the account id: quarantined, then released
        const r = await sql.query<{ id: string; status: string }>(
          `SELECT id, status FROM webhook_events WHERE endpoint = 'events' AND account = $1 AND type <> 'v2.core.account.created' ORDER BY created, id`,
          [seller.account],
        );
        return r.length > 0 && r.every((e) => e.status === 'processed') ? r : undefined;
      },
      15_000,
      'every thin event processed',
    );
    const delivered = t.sandbox.control.deliveries().filter((d: { event?: string }) => rows.some((r) => r.id === d.event));
    expect(delivered.length).toBeGreaterThanOrEqual(rows.length * 3); // each delivered three times, stored once
    const settled = await me(t, seller);
    expect(settled).toMatchObject({ status: 'active', requirements: { pastDue: [], currentlyDue: [] } });

    // the same delivery again (freshly signed): acknowledged as a duplicate, nothing changes
    const first = rows[0]!.id;
    const stored = await sql.one<{ payload: unknown }>(`SELECT payload FROM webhook_events WHERE id = $1`, [first]);
    const again = JSON.stringify(stored.payload);
    const ack = await deliverThin(again, sign(again)).expect(200);
    expect(ack.body).toMatchObject({ received: true, id: first, duplicate: true });
    // an admin replay of the oldest works it again: the account is re-read, the seller stays active
    await t.http.post(`/admin/webhook-events/${first}/replay`).set(bearer(t.adminKey)).send().expect(200);
    await waitFor(async () => ((await me(t, seller)).lastSyncedFrom === first ? true : undefined), 10_000, 'replayed thin event applied');
    expect(await me(t, seller)).toMatchObject({ status: 'active', chargesEnabled: settled.chargesEnabled, requirements: settled.requirements });
  });

  it('a forged or stale thin event is 400 and stores nothing; one about an unknown account is quarantined', async () => {
    const seller = await activeV2Seller();
    const before = await me(t, seller);
    const forged = thinEvent({ id: 'evt_thin_forged', account: seller.account });
    const refused = await deliverThin(forged, sign(forged, 'whsec_not_ours')).expect(400);
    expect(refused.body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    const stale = thinEvent({ id: 'evt_thin_stale', account: seller.account });
    expect((await deliverThin(stale, sign(stale, EVENTS_SECRET, Math.floor(Date.now() / 1000) - 301)).expect(400)).body.error.code).toBe('WEBHOOK.BAD_SIGNATURE');
    const unsigned = await t.http.post('/webhooks/stripe/events').set('Content-Type', 'application/json').send(stale).expect(400);
    expect(unsigned.body.error.code).toBe('WEBHOOK.MISSING_SIGNATURE');
    // a classic snapshot event is not what an event destination sends
    const classic = JSON.stringify({ id: 'evt_classic_here', object: 'event', type: 'account.updated', created: 1, livemode: false, data: { object: { id: seller.account } } });
    expect((await deliverThin(classic, sign(classic)).expect(400)).body.error.code).toBe('WEBHOOK.MALFORMED_EVENT');
    expect(await sql.query(`SELECT id FROM webhook_events WHERE id = ANY($1)`, [['evt_thin_forged', 'evt_thin_stale', 'evt_classic_here']])).toEqual([]);
    expect(await me(t, seller)).toEqual(before);

    const stranger = thinEvent({ id: 'evt_thin_stranger', account: 'acct_nobody_knows' });
    expect((await deliverThin(stranger, sign(stranger)).expect(200)).body).toMatchObject({ id: 'evt_thin_stranger', duplicate: false, status: 'quarantined' });
    expect(await sql.one(`SELECT status, endpoint, account FROM webhook_events WHERE id = 'evt_thin_stranger'`)).toEqual({ status: 'quarantined', endpoint: 'events', account: 'acct_nobody_knows' });
  });

  it('thin events missed during an outage of our endpoint are backfilled from GET /v2/core/events', async () => {
    const seller = await sellerWithAccount(t);
    const from = new Date(t.sandbox.control.now() * 1000 - 1000);
    await t.sandbox.control.setWebhookFaults({ outage: true });
    await submitOnboarding(await onboardingLink(t, seller), 'complete');
    expect((await me(t, seller)).status).toBe('pending');
    const to = new Date(t.sandbox.control.now() * 1000 + 1000);
    const res = await t.http.post('/admin/webhook-events/backfill').set(bearer(t.adminKey)).send({ from: from.toISOString(), to: to.toISOString() }).expect(200);
    expect(res.body.inserted).toBeGreaterThan(0);
    // the thin events are found and worked (the v1 events backfilled beside them read the same account)
    await waitFor(
      async () => {
        const rows = await sql.query<{ status: string }>(
          `SELECT status FROM webhook_events WHERE endpoint = 'events' AND source = 'backfill' AND account = $1 AND type = 'v2.core.account[configuration.recipient].capability_status_updated'`,
          [seller.account],
        );
        return rows.length > 0 && rows.every((r) => r.status === 'processed') ? true : undefined;
      },
      15_000,
      'backfilled thin events processed',
    );
    await waitForEventStatus(t, seller, 'active');
    // every event backfilled about the account worked (the v1 ones too: each syncs the seller)
    await waitFor(
      async () => {
        const open = await sql.query<{ id: string }>(`SELECT id FROM webhook_events WHERE account = $1 AND status IN ('pending', 'processing')`, [seller.account]);
        return open.length === 0 ? true : undefined;
      },
      15_000,
      "the account's backfilled events worked",
    );
    // the withheld deliveries arrive after all: acknowledged as duplicates, nothing changes
    const before = await me(t, seller);
    await t.sandbox.control.setWebhookFaults({ outage: false });
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    expect(await me(t, seller)).toEqual(before);
  });

  it("a lost answer to the account's creation is retried with the same key: one v2 account (v2 idempotency)", async () => {
    t.sandbox.control.addFault({ method: 'POST', path: '/v2/core/accounts', kind: 'lose_response', count: 1 });
    const seller = await createPrincipal(t, 'seller');
    const res = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201);
    const all = await t.stripe.accounts.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(all.filter((a) => a.metadata?.seller_id === seller.id).map((a) => a.id)).toEqual([res.body.stripeAccountId]);
  });

  it('past the 30 days Stripe keeps a v2 key, a creation whose answer was lost finds the account by metadata.seller_id instead of making another', async () => {
    const seller = await createPrincipal(t, 'seller');
    const made = (await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201)).body.stripeAccountId as string;
    // as if the answer had been lost 30 days ago: the intent row, without the account id
    await sql.query(`UPDATE seller_accounts SET stripe_account_id = NULL, created_at = now() - interval '30 days' WHERE seller_id = $1`, [seller.id]);
    const again = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201);
    expect(again.body.stripeAccountId).toBe(made);
    const all = await t.stripe.v2.core.accounts.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
    expect(all.filter((a) => a.metadata?.seller_id === seller.id).map((a) => a.id)).toEqual([made]);
  });

  it('20 concurrent POST /sellers/me/connected-account for one seller -> exactly one v2 account', () =>
    expectOneAccountFromConcurrentCreates(t, () => t.stripe.v2.core.accounts.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })));
});
