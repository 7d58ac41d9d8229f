// Seller onboarding end to end: real app, real PostgreSQL, the Stripe sandbox delivering webhooks.
// Accounts v1 (STRIPE_ACCOUNTS_API=v1, a platform already on it); Accounts v2: accounts-v2.e2e-spec.ts.
import Stripe from 'stripe';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { waitFor } from './support/process.js';
import {
  expectOneAccountFromConcurrentCreates,
  me as meOf,
  onboardingLink as onboardingLinkOf,
  pathOf,
  sellerWithAccount as sellerWithAccountOf,
  submitOnboarding,
  waitForEventStatus,
} from './support/onboarding.js';
import { CONNECT_SECRET, startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { STRIPE_ACCOUNTS_API: 'v1' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  await t.sandbox.control.setWebhookFaults({ duplicate: 1, shuffle: false });
  t.sandbox.control.clearFaults();
});

const sellerWithAccount = (body: Record<string, unknown> = {}) => sellerWithAccountOf(t, body);
const onboardingLink = (seller: PrincipalWithKey) => onboardingLinkOf(t, seller);
const me = (seller: PrincipalWithKey) => meOf(t, seller);
const waitForWebhookStatus = (seller: PrincipalWithKey, status: string) => waitForEventStatus(t, seller, status);

describe('seller onboarding', () => {
  it('seller -> account -> link -> onboarding completed in the sandbox -> account.updated -> active', async () => {
    const seller = await createPrincipal(t, 'seller');
    const created = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'us', businessName: 'Acme Ceramics' }).expect(201);
    expect(created.body).toMatchObject({ sellerId: seller.id, status: 'pending', country: 'US', businessName: 'Acme Ceramics', detailsSubmitted: false, lastSyncedFrom: 'api' });
    const account = created.body.stripeAccountId as string;

    // what Stripe holds: controller properties, capabilities, metadata
    const stripeAccount = await t.stripe.accounts.retrieve(account);
    expect(stripeAccount.controller).toMatchObject({
      fees: { payer: 'application_express' },
      losses: { payments: 'application' },
      stripe_dashboard: { type: 'express' },
      requirement_collection: 'stripe',
    });
    expect(Object.keys(stripeAccount.capabilities ?? {}).sort()).toEqual(['card_payments', 'transfers']);
    expect(stripeAccount.metadata).toEqual({ seller_id: seller.id });
    expect(stripeAccount.country).toBe('US');

    // a second call changes nothing
    const again = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'DE' }).expect(200);
    expect(again.body).toMatchObject({ stripeAccountId: account, country: 'US' });

    const link = await onboardingLink(seller);
    expect((await fetch(link)).status).toBe(200); // the hosted page opens
    const returnUrl = await submitOnboarding(link, 'complete');
    expect(returnUrl).toBe(`${new URL(t.baseUrl).protocol}//localhost:${new URL(t.baseUrl).port}/onboarding/return?account=${account}&token=${new URL(returnUrl).searchParams.get('token')}`);

    // the person never comes back: the webhook alone makes the seller active
    const active = await waitForWebhookStatus(seller, 'active');
    expect(active).toMatchObject({
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      capabilities: { cardPayments: 'active', transfers: 'active' },
      requirements: { currentlyDue: [], pastDue: [], disabledReason: null },
    });
    expect(await t.app.get(SellerGate).assertCanReceivePayments(seller.id)).toBe(account);
    expect(await t.app.get(SellerGate).assertCanBePaidOut(seller.id)).toBe(account);

    // coming back: JSON when asked, HTML for a person
    const json = await t.http.get(pathOf(returnUrl)).set('Accept', 'application/json').expect(200);
    expect(json.body).toEqual({
      account,
      status: 'active',
      detailsSubmitted: true,
      chargesEnabled: true,
      payoutsEnabled: true,
      currentlyDue: [],
      pastDue: [],
      currentDeadline: null,
      disabledReason: null,
    });
    const html = await t.http.get(pathOf(returnUrl)).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8').expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('data-status="active"');
    expect((await me(seller)).lastSyncedFrom).toBe('return');

    // the Express dashboard for an active seller
    const dash = await t.http.post('/sellers/me/dashboard-link').set(bearer(seller.key)).send().expect(201);
    expect(dash.body.url).toContain(`/_sandbox/dashboard/${account}`);
  });

  it('onboarding left with requirements due -> restricted with currently_due listed; a new link then completes it', async () => {
    const seller = await sellerWithAccount();
    const returnUrl = await submitOnboarding(await onboardingLink(seller), 'requirements_due');
    const restricted = await waitForWebhookStatus(seller, 'restricted');
    expect(restricted.requirements).toMatchObject({
      currentlyDue: ['individual.verification.document'],
      eventuallyDue: ['individual.verification.document', 'individual.id_number'],
      disabledReason: 'requirements.past_due',
    });
    expect(restricted).toMatchObject({ detailsSubmitted: true, chargesEnabled: false, capabilities: { cardPayments: 'inactive', transfers: 'inactive' } });

    const page = await t.http.get(pathOf(returnUrl)).expect(200);
    expect(page.text).toContain('data-status="restricted"');
    expect(page.text).toContain('individual.verification.document');

    // the gate names what is missing
    const refusal = await t.app
      .get(SellerGate)
      .assertCanReceivePayments(seller.id)
      .catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'SELLER_NOT_ACTIVE', kind: 'unprocessable' });
    expect((refusal as Error).message).toMatch(/currently due: individual\.verification\.document/);
    expect((refusal as { details: unknown }).details).toMatchObject({
      status: 'restricted',
      currentlyDue: ['individual.verification.document'],
      disabledReason: 'requirements.past_due',
      capabilities: { cardPayments: 'inactive', transfers: 'inactive' },
    });
    const dash = await t.http.post('/sellers/me/dashboard-link').set(bearer(seller.key)).send().expect(422);
    expect(dash.body.error.code).toBe('SELLER_NOT_ACTIVE');

    // admins see it with its requirements
    const listed = await t.http.get('/admin/sellers?status=restricted').set(bearer(t.adminKey)).expect(200);
    expect(listed.body.data.find((s: { sellerId: string }) => s.sellerId === seller.id)).toMatchObject({ status: 'restricted', requirements: { currentlyDue: ['individual.verification.document'] } });
    const active = await t.http.get('/admin/sellers?status=active').set(bearer(t.adminKey)).expect(200);
    expect(active.body.data.map((s: { sellerId: string }) => s.sellerId)).not.toContain(seller.id);

    // details were submitted: a fresh account_onboarding link collects what is still due
    await submitOnboarding(await onboardingLink(seller), 'complete');
    await waitForWebhookStatus(seller, 'active');
  });

  it('the rejected path -> rejected, and no more onboarding links', async () => {
    const seller = await sellerWithAccount();
    await submitOnboarding(await onboardingLink(seller), 'rejected');
    const rejected = await waitForWebhookStatus(seller, 'rejected');
    expect(rejected.requirements.disabledReason).toBe('rejected.other');
    const link = await t.http.post('/sellers/me/onboarding-link').set(bearer(seller.key)).send().expect(409);
    expect(link.body.error.code).toBe('ONBOARDING.ACCOUNT_CLOSED');
    await expect(t.app.get(SellerGate).assertCanBePaidOut(seller.id)).rejects.toMatchObject({ code: 'SELLER_NOT_ACTIVE', message: expect.stringMatching(/rejected\.other/) });
  });

  it('the refresh URL with a used or expired link hands out a new one', async () => {
    const seller = await sellerWithAccount();
    const used = await onboardingLink(seller);
    await submitOnboarding(used, 'requirements_due');

    // a used link sends the browser to our refresh_url, which redirects (303) to a new link
    const toRefresh = await fetch(used, { redirect: 'manual' });
    expect(toRefresh.status).toBe(303);
    const refreshUrl = toRefresh.headers.get('location')!;
    expect(refreshUrl).toContain(`/onboarding/refresh?account=${seller.account}&token=`);
    const refreshed = await t.http.get(pathOf(refreshUrl)).expect(303);
    const fresh = refreshed.headers.location as string;
    expect(fresh).not.toBe(used);
    expect((await fetch(fresh)).status).toBe(200);

    // expired (the sandbox clock moves past expires_at)
    await t.sandbox.control.advance(301);
    const expired = await fetch(fresh, { redirect: 'manual' });
    expect(expired.status).toBe(303);
    const again = await t.http.get(pathOf(expired.headers.get('location')!)).expect(303);
    expect((await fetch(again.headers.location as string)).status).toBe(200);

    // no token, a wrong token, or an unknown account: nothing is handed out
    await t.http.get(`/onboarding/refresh?account=${seller.account}&token=wrong`).expect(404);
    await t.http.get(`/onboarding/refresh?account=${seller.account}`).expect(400);
    await t.http.get(`/onboarding/refresh?account=acct_doesnotexist&token=x`).expect(404);
    await t.http.get(`/onboarding/return?account=${seller.account}&token=wrong`).set('Accept', 'application/json').expect(404);
  });

  it('duplicated and reordered account.updated deliveries end in the right status', async () => {
    await t.sandbox.control.setWebhookFaults({ duplicate: 3, shuffle: true });
    const seller = await sellerWithAccount();
    await submitOnboarding(await onboardingLink(seller), 'requirements_due');
    await submitOnboarding(await onboardingLink(seller), 'complete');
    await t.sandbox.control.webhooksIdle();
    const settled = await waitForWebhookStatus(seller, 'active');
    expect(settled.requirements.currentlyDue).toEqual([]);

    const events = await waitFor(
      async () => {
        const res = await t.http.get(`/admin/webhook-events?account=${seller.account}&limit=200`).set(bearer(t.adminKey)).expect(200);
        const rows = res.body.data as Array<{ id: string; type: string; status: string; created: string }>;
        return rows.length > 0 && rows.every((r) => r.status === 'processed') ? rows : undefined;
      },
      15_000,
      'every event processed',
    );
    const updates = events.filter((e) => e.type === 'account.updated');
    expect(updates.length).toBe(2); // each delivered three times, stored once
    const deliveries = t.sandbox.control.deliveries().filter((d: { event?: string; eventId?: string }) => updates.some((u) => u.id === (d.event ?? d.eventId)));
    expect(deliveries.length).toBeGreaterThanOrEqual(6);

    // the oldest account.updated (requirements due) worked again last: the seller stays active
    const oldest = [...updates].sort((a, b) => a.created.localeCompare(b.created) || a.id.localeCompare(b.id))[0]!;
    await t.http.post(`/admin/webhook-events/${oldest.id}/replay`).set(bearer(t.adminKey)).send().expect(200);
    await waitFor(async () => ((await me(seller)).lastSyncedFrom === oldest.id ? true : undefined), 10_000, 'replayed event applied');
    expect((await me(seller)).status).toBe('active');
  });

  it('20 concurrent POST /sellers/me/connected-account for one seller -> exactly one Stripe account', () =>
    expectOneAccountFromConcurrentCreates(t, () => t.stripe.accounts.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })));

  it('seller B cannot read seller A or create links for A (404); a buyer key gets 403', async () => {
    const a = await sellerWithAccount();
    const b = await sellerWithAccount();
    await t.http.get(`/sellers/${a.id}`).set(bearer(b.key)).expect(404);
    await t.http.post(`/sellers/${a.id}/onboarding-link`).set(bearer(b.key)).send().expect(404);
    await t.http.get(`/onboarding/refresh?account=${a.account}&token=guess`).expect(404);
    expect((await t.http.get(`/sellers/${a.id}`).set(bearer(a.key)).expect(200)).body.stripeAccountId).toBe(a.account);
    expect((await t.http.get(`/sellers/${a.id}`).set(bearer(t.adminKey)).expect(200)).body.sellerId).toBe(a.id);
    await t.http.post(`/sellers/${a.id}/onboarding-link`).set(bearer(t.adminKey)).send().expect(201);

    const buyer = await createPrincipal(t, 'buyer');
    await t.http.get('/sellers/me').set(bearer(buyer.key)).expect(403);
    await t.http.post('/sellers/me/connected-account').set(bearer(buyer.key)).send({}).expect(403);
    await t.http.post('/sellers/me/onboarding-link').set(bearer(buyer.key)).send().expect(403);
    await t.http.get(`/sellers/${a.id}`).set(bearer(buyer.key)).expect(403);
    await t.http.get('/admin/sellers').set(bearer(buyer.key)).expect(403);
    await t.http.get('/admin/sellers').set(bearer(a.key)).expect(403);
  });

  it('a seller without an account reads as pending, and cannot get links; the gate says there is no account', async () => {
    const seller = await createPrincipal(t, 'seller');
    expect(await me(seller)).toMatchObject({ sellerId: seller.id, stripeAccountId: null, status: 'pending' });
    const res = await t.http.post('/sellers/me/onboarding-link').set(bearer(seller.key)).send().expect(409);
    expect(res.body.error.code).toBe('ONBOARDING.NO_CONNECTED_ACCOUNT');
    await expect(t.app.get(SellerGate).assertCanReceivePayments(seller.id)).rejects.toMatchObject({ code: 'SELLER_NOT_ACTIVE', message: expect.stringMatching(/no connected account/) });
    await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'USA' }).expect(400);
  });

  it('account.application.deauthorized -> disconnected, and later account.updated events do not bring it back', async () => {
    const seller = await sellerWithAccount();
    await submitOnboarding(await onboardingLink(seller), 'complete');
    await waitForWebhookStatus(seller, 'active');

    const signer = new Stripe('sk_test_signer');
    const payload = JSON.stringify({
      id: `evt_deauth_${seller.account}`,
      object: 'event',
      type: 'account.application.deauthorized',
      api_version: '2026-01-01',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      account: seller.account,
      data: { object: { id: 'ca_platform', object: 'application', name: 'Marketplace' } },
    });
    await t.http
      .post('/webhooks/stripe/connect')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signer.webhooks.generateTestHeaderString({ payload, secret: CONNECT_SECRET }))
      .send(payload)
      .expect(200);
    await waitFor(async () => ((await me(seller)).status === 'disconnected' ? true : undefined), 10_000, 'disconnected');

    // the account changes in Stripe afterwards: account.updated arrives, the seller stays disconnected
    await t.stripe.accounts.update(seller.account, { metadata: { note: 'after deauthorization' } });
    await t.sandbox.control.webhooksIdle();
    await waitFor(
      async () => {
        const res = await t.http.get(`/admin/webhook-events?account=${seller.account}&type=account.updated&limit=200`).set(bearer(t.adminKey)).expect(200);
        return res.body.data.length >= 2 && res.body.data.every((e: { status: string }) => e.status === 'processed') ? true : undefined;
      },
      10_000,
      'later account.updated processed',
    );
    expect(await me(seller)).toMatchObject({ status: 'disconnected', disconnectedAt: expect.any(String) });
    await expect(t.app.get(SellerGate).assertCanReceivePayments(seller.id)).rejects.toMatchObject({ code: 'SELLER_NOT_ACTIVE', message: expect.stringMatching(/disconnected/) });
    expect((await t.http.post('/sellers/me/onboarding-link').set(bearer(seller.key)).send().expect(409)).body.error.code).toBe('ONBOARDING.ACCOUNT_CLOSED');
  });
});
