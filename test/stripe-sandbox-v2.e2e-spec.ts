import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, controlCall, destinationCharge, form, onboardedAccount, sdk, startThinReceiver, stripeError, type ThinReceiver, usd, waitUntil } from './support/stripe-sandbox-harness.js';

const DAY = 86_400;
const THIN_SECRET = 'whsec_e2e_thin_events_secret';

// Accounts v2 through the real SDK (stripe.v2.core.*): JSON bodies, v2 errors and idempotency,
// v2 Account Links and their hosted page, thin events to event destinations (verified with
// parseEventNotification), v1 endpoints taking the v2 account's id, and the Balance Settings API.
describe('stripe sandbox: Accounts v2, thin events and balance settings', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  let thin: ThinReceiver;
  beforeAll(async () => {
    thin = await startThinReceiver(
      () => stripe,
      () => THIN_SECRET,
    );
    sandbox = await startSandbox({ port: 0, eventDestinations: [{ url: `${thin.url}/thin`, secret: THIN_SECRET }], webhookRetry: { baseDelayMs: 20 } });
    stripe = sdk(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
    await thin.close();
  });

  const recipientParams = (email: string): Stripe.V2.Core.AccountCreateParams => ({
    contact_email: email,
    display_name: 'Jenny Rosen',
    dashboard: 'express',
    identity: { country: 'us' },
    defaults: { responsibilities: { fees_collector: 'application', losses_collector: 'application' } },
    configuration: { recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } } },
    metadata: { seller_id: '42' },
  });
  const ALL: Stripe.V2.Core.AccountRetrieveParams.Include[] = ['configuration.recipient', 'configuration.merchant', 'requirements', 'identity', 'defaults'];

  const relatedId = (n: Stripe.V2.Core.EventNotification): string | undefined => ('related_object' in n && n.related_object && 'id' in n.related_object ? n.related_object.id : undefined);

  async function idle(): Promise<void> {
    await control(sandbox.url, 'GET', '/_sandbox/webhooks/idle');
  }

  /** A receiver and an event destination created through the API for it (with its signing secret), for `fn`. */
  async function withOwnDestination(enabled: string[], fn: (own: ThinReceiver, dest: Stripe.V2.Core.EventDestination, secret: string) => Promise<void>): Promise<void> {
    let secret = '';
    const own = await startThinReceiver(
      () => stripe,
      () => secret,
    );
    try {
      const dest = await stripe.v2.core.eventDestinations.create({
        name: 'thin',
        type: 'webhook_endpoint',
        event_payload: 'thin',
        enabled_events: enabled,
        webhook_endpoint: { url: `${own.url}/events` },
        include: ['webhook_endpoint.signing_secret', 'webhook_endpoint.url'],
      });
      secret = dest.webhook_endpoint?.signing_secret ?? '';
      await fn(own, dest, secret);
    } finally {
      await own.close();
    }
  }

  async function onboardV2(account: string, outcome = 'complete'): Promise<Response> {
    const link = await stripe.v2.core.accountLinks.create({
      account,
      use_case: { type: 'account_onboarding', account_onboarding: { collection_options: { fields: 'eventually_due' }, refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' } },
    });
    return form(link.url, { outcome, account_number: '000123456789', routing_number: '110000000' });
  }

  it('creates a recipient account: restricted capabilities, requirements entries, parts only when included', async () => {
    const created = await stripe.v2.core.accounts.create({ ...recipientParams('a@example.test'), include: ALL });
    expect(created.id).toMatch(/^acct_/);
    expect(created).toMatchObject({
      object: 'v2.core.account',
      applied_configurations: ['recipient'],
      contact_email: 'a@example.test',
      display_name: 'Jenny Rosen',
      dashboard: 'express',
      livemode: false,
      metadata: { seller_id: '42' },
      identity: { country: 'US' },
      defaults: { responsibilities: { fees_collector: 'application', losses_collector: 'application', requirements_collector: 'stripe' } },
    });
    expect(created.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const balance = created.configuration?.recipient?.capabilities?.stripe_balance;
    expect(balance?.stripe_transfers).toEqual({ status: 'restricted', status_details: [{ code: 'requirements_past_due', resolution: 'provide_info' }] });
    expect(balance?.payouts?.status).toBe('restricted');
    const entries = created.requirements?.entries ?? [];
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e).toMatchObject({ awaiting_action_from: 'user', errors: [], minimum_deadline: { status: 'past_due' } });
      expect(e.impact.restricts_capabilities).toContainEqual({ capability: 'stripe_balance.stripe_transfers', configuration: 'recipient', deadline: { status: 'past_due' } });
    }
    expect(created.requirements?.summary?.minimum_deadline?.status).toBe('past_due');

    const plain = await stripe.v2.core.accounts.retrieve(created.id);
    expect(plain.configuration).toBeUndefined();
    expect(plain.requirements).toBeUndefined();
    expect(plain.identity).toBeUndefined();
    expect(plain.applied_configurations).toEqual(['recipient']);
    const some = await stripe.v2.core.accounts.retrieve(created.id, { include: ['configuration.recipient'] });
    expect(some.configuration?.recipient?.applied).toBe(true);
    expect(some.requirements).toBeUndefined();

    // the same id is a v1 Account: Express-like, transfers not yet active
    const v1 = await stripe.accounts.retrieve(created.id);
    expect(v1).toMatchObject({ id: created.id, type: 'express', email: 'a@example.test', capabilities: { transfers: 'inactive' }, payouts_enabled: false, metadata: { seller_id: '42' } });
    expect(v1.controller).toMatchObject({ losses: { payments: 'application' }, stripe_dashboard: { type: 'express' } });
  });

  it('answers v2 errors as { error: { type, code, message } } and changes nothing', async () => {
    const before = (await control(sandbox.url, 'GET', '/_sandbox/state')) as { accounts?: unknown[] };
    const res = await fetch(`${sandbox.url}/v2/core/accounts`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_platform_one', 'content-type': 'application/json' },
      body: JSON.stringify({ display_name: 'x', controller: { fees: { payer: 'application' } } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'type']);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_unknown' });
    expect(String(body.error.message)).toContain('controller');
    const after = (await control(sandbox.url, 'GET', '/_sandbox/state')) as { accounts?: unknown[] };
    expect(after.accounts?.length).toBe(before.accounts?.length);

    const missing = await stripeError(stripe.v2.core.accounts.retrieve('acct_doesnotexist0001'));
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const badInclude = await stripeError(stripe.v2.core.accounts.retrieve('acct_doesnotexist0001', { include: ['nonsense' as 'identity'] }));
    expect(badInclude.statusCode).toBe(400);
    const notJson = await fetch(`${sandbox.url}/v2/core/accounts`, { method: 'POST', headers: { authorization: 'Bearer sk_test_platform_one' }, body: 'display_name=x' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    // injected faults answer in the v2 shape on /v2 paths too
    await control(sandbox.url, 'POST', '/_sandbox/faults', { method: 'GET', path: '/v2/core/accounts/*', kind: 'rate_limit' });
    const limited = await fetch(`${sandbox.url}/v2/core/accounts/acct_any`, { headers: { authorization: 'Bearer sk_test_platform_one' } });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ error: { type: 'invalid_request_error', code: 'rate_limit', message: expect.any(String) } });
  });

  it('replays an idempotent create, refuses the key with another body, and retries a failed request', async () => {
    const key = `v2-create-${Date.now()}`;
    const first = await stripe.v2.core.accounts.create(recipientParams('idem@example.test'), { idempotencyKey: key });
    const again = await stripe.v2.core.accounts.create(recipientParams('idem@example.test'), { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    const reused = await stripeError(stripe.v2.core.accounts.create(recipientParams('other@example.test'), { idempotencyKey: key }));
    expect(reused).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' } as object);
    await idle();
    const createdEvents = thin.notifications.filter((n) => n.type === 'v2.core.account.created' && relatedId(n) === first.id);
    expect(createdEvents).toHaveLength(1);
    // a v2 key outlives v1's 24 hours (kept 30 days)
    await advance(sandbox, 3 * DAY);
    expect((await stripe.v2.core.accounts.create(recipientParams('idem@example.test'), { idempotencyKey: key })).id).toBe(first.id);
    await advance(sandbox, 28 * DAY);
    expect((await stripe.v2.core.accounts.create(recipientParams('idem@example.test'), { idempotencyKey: key })).id).not.toBe(first.id);

    // a request that failed is not saved: the same key runs it again ("retries don't repeat successful operations")
    const failKey = `v2-fail-${Date.now()}`;
    const bad = { ...recipientParams('full@example.test'), dashboard: 'full' as const };
    expect((await stripeError(stripe.v2.core.accounts.create(bad, { idempotencyKey: failKey }))).statusCode).toBe(400);
    const retried = await stripeError(stripe.v2.core.accounts.create(bad, { idempotencyKey: failKey }));
    expect(retried.statusCode).toBe(400);
    expect(retried.headers?.['idempotent-replayed']).toBeUndefined();
  });

  it('refuses `configurations` in an Account Link (removed in 2026-09-30.endive) and answers the v2 link shape', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('link@example.test'));
    const res = await fetch(`${sandbox.url}/v2/core/account_links`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_platform_one', 'content-type': 'application/json' },
      body: JSON.stringify({ account: account.id, use_case: { type: 'account_onboarding', account_onboarding: { configurations: ['recipient'], refresh_url: 'http://app.test/r' } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'parameter_unknown', message: expect.stringContaining('configurations') });

    const link = await stripe.v2.core.accountLinks.create({
      account: account.id,
      use_case: { type: 'account_onboarding', account_onboarding: { collection_options: { fields: 'currently_due' }, refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' } },
    });
    expect(link).toMatchObject({
      object: 'v2.core.account_link',
      account: account.id,
      livemode: false,
      use_case: { type: 'account_onboarding', account_onboarding: { refresh_url: 'http://app.test/r' } },
    });
    expect(Date.parse(link.expires_at)).toBeGreaterThan(Date.parse(link.created));
    expect((await fetch(link.url)).status).toBe(200);
    const missingRefresh = await stripeError(stripe.v2.core.accountLinks.create({ account: account.id, use_case: { type: 'account_onboarding' } }));
    expect(missingRefresh.statusCode).toBe(400);
  });

  it('onboards through the hosted page: capabilities active, requirements empty, thin events verified and fetched', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('onboard@example.test'));
    const done = await onboardV2(account.id);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('http://app.test/ok');
    const after = await stripe.v2.core.accounts.retrieve(account.id, { include: ['configuration.recipient', 'requirements'] });
    expect(after.configuration?.recipient?.capabilities?.stripe_balance).toEqual({
      stripe_transfers: { status: 'active', status_details: [] },
      payouts: { status: 'active', status_details: [] },
    });
    expect(after.requirements?.entries).toEqual([]);
    const v1 = await stripe.accounts.retrieve(account.id);
    expect(v1).toMatchObject({ capabilities: { transfers: 'active' }, payouts_enabled: true, details_submitted: true });

    await idle();
    expect(thin.failures).toEqual([]);
    const mine = thin.notifications.filter((n) => relatedId(n) === account.id);
    expect(mine.map((n) => n.type)).toEqual([
      'v2.core.account.created',
      'v2.core.account[requirements].updated',
      'v2.core.account[configuration.recipient].capability_status_updated',
      'v2.core.account[configuration.recipient].capability_status_updated',
    ]);
    // thin: a reference, no snapshot; the hosted page's changes have no API request as their reason
    const raw = JSON.parse(thin.bodies[thin.notifications.indexOf(mine[2])]) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['created', 'id', 'livemode', 'object', 'related_object', 'type']);
    const rawCreated = JSON.parse(thin.bodies[thin.notifications.indexOf(mine[0])]) as { reason?: { type: string; request: { id: string; idempotency_key: string } } };
    expect(rawCreated.reason?.type).toBe('request');
    expect(rawCreated.reason?.request.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect(raw.related_object).toEqual({ id: account.id, type: 'v2.core.account', url: `/v2/core/accounts/${account.id}` });
    // the whole event, and the account it points at, through the SDK's helpers
    const capEvents = await Promise.all(mine.slice(2).map((n) => n.fetchEvent()));
    expect(capEvents.map((e) => (e as { data?: { updated_capability: string } }).data?.updated_capability).sort()).toEqual(['stripe_balance.payouts', 'stripe_balance.stripe_transfers']);
    const createdNote = mine[0];
    if (createdNote.type !== 'v2.core.account.created') throw new Error(`expected the created event first, got ${createdNote.type}`);
    const fetched = await createdNote.fetchRelatedObject();
    expect(fetched).toMatchObject({ id: account.id, object: 'v2.core.account' });
    // a forged or stale delivery does not verify
    expect(() => stripe.parseEventNotification(thin.bodies[0], 't=1,v1=deadbeef', THIN_SECRET)).toThrow();
    const stale = Math.floor(Date.now() / 1000) - 3600;
    expect(() => stripe.parseEventNotification(thin.bodies[0], stripe.webhooks.generateTestHeaderString({ payload: thin.bodies[0], secret: THIN_SECRET, timestamp: stale }), THIN_SECRET)).toThrow();
  });

  it('merchant configuration: card_payments active after onboarding, charges enabled, merchant capability events', async () => {
    const account = await stripe.v2.core.accounts.create({
      ...recipientParams('merchant@example.test'),
      configuration: { merchant: { capabilities: { card_payments: { requested: true } } }, recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } } },
      include: ['configuration.merchant'],
    });
    expect(account.configuration?.merchant?.capabilities?.card_payments?.status).toBe('restricted');
    expect((await onboardV2(account.id)).status).toBe(303);
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({ charges_enabled: true, capabilities: { card_payments: 'active', transfers: 'active' } });
    await idle();
    const merchant = thin.notifications.filter((n) => relatedId(n) === account.id && n.type === 'v2.core.account[configuration.merchant].capability_status_updated');
    expect(merchant.length).toBeGreaterThanOrEqual(1);
  });

  it('leaves requirements due with their deadlines when the seller stops halfway', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('due@example.test'));
    expect((await onboardV2(account.id, 'requirements_due')).status).toBe(303);
    const after = await stripe.v2.core.accounts.retrieve(account.id, { include: ['configuration.recipient', 'requirements'] });
    expect(after.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers?.status).toBe('restricted');
    const statuses = (after.requirements?.entries ?? []).map((e) => e.minimum_deadline.status).sort();
    expect(statuses).toEqual(['eventually_due', 'past_due']);
    expect(after.requirements?.summary?.minimum_deadline?.status).toBe('past_due');
  });

  it('unrequesting a capability removes it and announces it (capability_status_updated), the v1 view inactive', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('unrequest@example.test'));
    await onboardV2(account.id);
    await idle();
    const before = thin.notifications.length;
    await stripe.v2.core.accounts.update(account.id, { configuration: { recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: false } } } } } });
    const after = await stripe.v2.core.accounts.retrieve(account.id, { include: ['configuration.recipient'] });
    expect(after.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers).toBeUndefined();
    expect((await stripe.accounts.retrieve(account.id)).capabilities?.transfers).not.toBe('active');
    await idle();
    const events = thin.notifications.slice(before).filter((n) => relatedId(n) === account.id && n.type === 'v2.core.account[configuration.recipient].capability_status_updated');
    const data = await Promise.all(events.map(async (n) => ((await n.fetchEvent()) as { data?: { updated_capability: string } }).data?.updated_capability));
    expect(data).toContain('stripe_balance.stripe_transfers');
  });

  it('updates an account (v2.core.account.updated) and keeps the v1 view in step', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('upd@example.test'));
    const updated = await stripe.v2.core.accounts.update(account.id, { display_name: 'Jenny R.', metadata: { seller_id: '43' } });
    expect(updated).toMatchObject({ display_name: 'Jenny R.', metadata: { seller_id: '43' } });
    expect((await stripe.accounts.retrieve(account.id)).metadata).toEqual({ seller_id: '43' });
    await idle();
    expect(thin.notifications.some((n) => n.type === 'v2.core.account.updated' && relatedId(n) === account.id)).toBe(true);
    const dash = await stripeError(stripe.v2.core.accounts.update(account.id, { dashboard: 'none' }));
    expect(dash.statusCode).toBe(400);
  });

  it('v1 endpoints take the v2 account id: destination charges, transfers, balances, balance transactions, payouts', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('money@example.test'));
    expect((await onboardV2(account.id)).status).toBe(303);
    const on = { stripeAccount: account.id };
    const charge = await destinationCharge(stripe, account.id, { paymentMethod: 'pm_card_bypassPending' });
    expect(charge.transfer).toBeTruthy();
    await destinationCharge(stripe, account.id, { paymentMethod: 'pm_card_bypassPending', amount: 5000, fee: 500 });
    const transfer = await stripe.transfers.create({ amount: 1000, currency: 'usd', destination: account.id });
    expect(transfer.destination).toBe(account.id);
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(9000 + 4500 + 1000);
    const txns = await stripe.balanceTransactions.list({}, on);
    expect(txns.data.map((t) => t.type).sort()).toEqual(['payment', 'payment', 'payment']);
    const payout = await stripe.payouts.create({ amount: 2000, currency: 'usd' }, on);
    expect(payout).toMatchObject({ amount: 2000, status: 'pending' });
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(14_500 - 2000);
  });

  it('Balance Settings: manual stops automatic payouts; daily resumes them', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('settings@example.test'));
    expect((await onboardV2(account.id)).status).toBe(303);
    const on = { stripeAccount: account.id };
    const initial = await stripe.balanceSettings.retrieve({}, on);
    expect(initial).toMatchObject({ object: 'balance_settings', payments: { payouts: { schedule: { interval: 'daily' }, status: 'enabled' } } });
    const manual = await stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'manual' } } } }, on);
    expect(manual.payments.payouts?.schedule?.interval).toBe('manual');
    expect((await stripe.accounts.retrieve(account.id)).settings?.payouts?.schedule.interval).toBe('manual');
    await destinationCharge(stripe, account.id, { paymentMethod: 'pm_card_bypassPending' });
    await advance(sandbox, 3 * DAY);
    expect((await stripe.payouts.list({}, on)).data).toHaveLength(0);
    const weekly = await stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'weekly', weekly_payout_days: ['monday', 'thursday'] } } } }, on);
    expect(weekly.payments.payouts?.schedule).toEqual({ interval: 'weekly', weekly_payout_days: ['monday', 'thursday'] });
    await stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'daily' } } } }, on);
    await advance(sandbox, DAY);
    const payouts = (await stripe.payouts.list({}, on)).data;
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ automatic: true, amount: 9000 });
    const bad = await stripeError(stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'monthly' } } } }, on));
    expect(bad.statusCode).toBe(400);
    const platform = await stripeError(stripe.balanceSettings.retrieve());
    expect(platform.statusCode).toBe(400);
  });

  it('event destinations through the API: the signing secret only on creation, deliveries signed with it', async () => {
    await withOwnDestination(['v2.core.account.created'], async (own, dest, secret) => {
      expect(secret).toMatch(/^whsec_/);
      expect(dest).toMatchObject({ object: 'v2.core.event_destination', status: 'enabled', event_payload: 'thin', type: 'webhook_endpoint', webhook_endpoint: { url: `${own.url}/events` } });
      const read = await stripe.v2.core.eventDestinations.retrieve(dest.id);
      expect(read.webhook_endpoint?.signing_secret).toBeUndefined();
      expect(read.webhook_endpoint?.url).toBeUndefined();
      expect((await stripe.v2.core.eventDestinations.retrieve(dest.id, { include: ['webhook_endpoint.url'] })).webhook_endpoint?.url).toBe(`${own.url}/events`);
      const account = await stripe.v2.core.accounts.create(recipientParams('dest@example.test'));
      await stripe.v2.core.accounts.update(account.id, { display_name: 'not enabled on this destination' });
      await idle();
      expect(own.failures).toEqual([]);
      expect(own.notifications.map((n) => [n.type, relatedId(n)])).toEqual([['v2.core.account.created', account.id]]);
      await stripe.v2.core.eventDestinations.del(dest.id);
    });
  });

  it('the webhook fault controls apply to thin deliveries (duplicates, outage then release)', async () => {
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { duplicate: 2, outage: true });
    const account = await stripe.v2.core.accounts.create(recipientParams('faults@example.test'));
    const count = () => thin.notifications.filter((n) => relatedId(n) === account.id).length;
    await idle();
    expect(count()).toBe(0);
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { duplicate: 1, outage: false });
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/release');
    await waitUntil(() => count() === 2);
    const ids = new Set(thin.notifications.filter((n) => relatedId(n) === account.id).map((n) => n.id));
    expect(ids.size).toBe(1);
  });

  it('reads a v1 account through API v2 as a view of the v1 one (read only)', async () => {
    const v1 = await stripe.accounts.create({ type: 'express', email: 'old@example.test', capabilities: { transfers: { requested: true } }, metadata: { seller_id: '7' } });
    const before = await stripe.v2.core.accounts.retrieve(v1.id, { include: ['configuration.recipient', 'requirements', 'defaults'] });
    expect(before).toMatchObject({
      id: v1.id,
      object: 'v2.core.account',
      applied_configurations: ['recipient'],
      dashboard: 'express',
      contact_email: 'old@example.test',
      metadata: { seller_id: '7' },
    });
    expect(before.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers?.status).toBe('restricted');
    expect(before.requirements?.entries?.length).toBeGreaterThan(0);
    expect(before.defaults?.responsibilities).toMatchObject({ losses_collector: 'application', requirements_collector: 'stripe' });
    const onboarded = await onboardedAccount(stripe, { params: { type: 'express', capabilities: { transfers: { requested: true } } } });
    const after = await stripe.v2.core.accounts.retrieve(onboarded, { include: ['configuration.recipient', 'requirements'] });
    expect(after.configuration?.recipient?.capabilities?.stripe_balance).toEqual({ stripe_transfers: { status: 'active', status_details: [] }, payouts: { status: 'active', status_details: [] } });
    expect(after.requirements?.entries).toEqual([]);
    expect((await stripeError(stripe.v2.core.accounts.update(v1.id, { display_name: 'x' }))).statusCode).toBe(400);
  });

  it('keeps v2 accounts, their v2 events and event destinations across a restart (state file)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-v2-'));
    const stateFile = path.join(dir, 'state.json');
    const first = await startSandbox({ port: 0, stateFile });
    const one = sdk(first);
    const account = await one.v2.core.accounts.create(recipientParams('persist@example.test'));
    const dest = await one.v2.core.eventDestinations.create({
      name: 'p',
      type: 'webhook_endpoint',
      event_payload: 'thin',
      enabled_events: ['v2.core.account.created'],
      webhook_endpoint: { url: 'http://127.0.0.1:9/x' },
    });
    const state = (await control(first.url, 'GET', '/_sandbox/state')) as { v2Events: Array<{ object: { id: string } }> };
    const eventId = state.v2Events.at(-1)!.object.id;
    await first.close();
    const second = await startSandbox({ port: 0, stateFile });
    try {
      const two = sdk(second);
      expect((await two.v2.core.accounts.retrieve(account.id, { include: ['configuration.recipient'] })).configuration?.recipient?.applied).toBe(true);
      expect((await two.accounts.retrieve(account.id)).type).toBe('express');
      expect((await two.v2.core.events.retrieve(eventId)).type).toBe('v2.core.account.created');
      expect((await two.v2.core.eventDestinations.retrieve(dest.id)).id).toBe(dest.id);
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('event destinations: ping reaches only that one, disable stops deliveries, enable resumes, update, delete', async () => {
    await withOwnDestination(['v2.core.account.updated'], async (own, dest) => {
      const before = thin.notifications.length;
      const ping = await stripe.v2.core.eventDestinations.ping(dest.id);
      expect(ping).toMatchObject({ object: 'v2.core.event', type: 'v2.core.event_destination.ping' });
      await idle();
      expect(own.notifications.map((n) => n.type)).toEqual(['v2.core.event_destination.ping']);
      expect(thin.notifications.slice(before).some((n) => n.type === 'v2.core.event_destination.ping')).toBe(false);

      const account = await stripe.v2.core.accounts.create(recipientParams('life@example.test'));
      expect((await stripe.v2.core.eventDestinations.disable(dest.id)).status).toBe('disabled');
      await stripe.v2.core.accounts.update(account.id, { display_name: 'while disabled' });
      await idle();
      expect(own.notifications).toHaveLength(1);
      expect((await stripe.v2.core.eventDestinations.enable(dest.id)).status).toBe('enabled');
      await stripe.v2.core.accounts.update(account.id, { display_name: 'enabled again' });
      await idle();
      expect(own.notifications.map((n) => n.type)).toEqual(['v2.core.event_destination.ping', 'v2.core.account.updated']);

      const updated = await stripe.v2.core.eventDestinations.update(dest.id, { enabled_events: ['v2.core.account.created'], name: 'renamed' });
      expect(updated).toMatchObject({ name: 'renamed', enabled_events: ['v2.core.account.created'] });
      const listed = await stripe.v2.core.eventDestinations.list();
      expect(listed.data.map((d) => d.id)).toContain(dest.id);
      expect((await stripe.v2.core.eventDestinations.del(dest.id)).id).toBe(dest.id);
      expect((await stripeError(stripe.v2.core.eventDestinations.retrieve(dest.id))).statusCode).toBe(404);
    });
  });

  it('lists v2 events by object, newest first, page by page', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('list@example.test'));
    for (const name of ['one', 'two', 'three']) await stripe.v2.core.accounts.update(account.id, { display_name: name });
    const page = await stripe.v2.core.events.list({ object_id: account.id, limit: 2 });
    expect(page.data.map((e) => e.type)).toEqual(['v2.core.account.updated', 'v2.core.account.updated']);
    expect(page.next_page_url).toBeTruthy();
    const all: string[] = [];
    for await (const e of stripe.v2.core.events.list({ object_id: account.id, limit: 2 })) all.push(e.type);
    expect(all).toEqual(['v2.core.account.updated', 'v2.core.account.updated', 'v2.core.account.updated', 'v2.core.account.created']);
    const created = await stripe.v2.core.events.list({ object_id: account.id, types: ['v2.core.account.created'] });
    expect(created.data).toHaveLength(1);
  });

  it('Balance Settings changes send balance_settings.updated for the connected account', async () => {
    const account = await stripe.v2.core.accounts.create(recipientParams('bsevent@example.test'));
    const on = { stripeAccount: account.id };
    await stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'manual' } } } }, on);
    await stripe.balanceSettings.update({ payments: { payouts: { schedule: { interval: 'manual' } } } }, on);
    const events = await stripe.events.list({ type: 'balance_settings.updated' }, on);
    expect(events.data).toHaveLength(1);
    expect(events.data[0]).toMatchObject({ account: account.id, data: { object: { object: 'balance_settings', payments: { payouts: { schedule: { interval: 'manual' } } } } } });
  });

  it('lists accounts newest first across pages (v1 ones as their v2 view), filtered by applied configuration', async () => {
    const other = sdk(sandbox, 'sk_test_platform_lists');
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await other.v2.core.accounts.create(recipientParams(`l${i}@example.test`))).id);
    const merchant = await other.v2.core.accounts.create({ ...recipientParams('m@example.test'), configuration: { merchant: { capabilities: { card_payments: { requested: true } } } } });
    const v1 = await other.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
    const ids = await other.v2.core.accounts.list({ limit: 2 }).autoPagingToArray({ limit: 100 });
    expect(ids.map((a) => a.id)).toEqual([v1.id, merchant.id, ...made.reverse()]);
    expect(ids[0].configuration).toBeUndefined();
    const merchants = await other.v2.core.accounts.list({ applied_configurations: ['merchant'] });
    expect(merchants.data.map((a) => a.id)).toEqual([merchant.id]);
    expect((await stripeError(other.v2.core.accounts.list({ limit: 0 }))).statusCode).toBe(400);
  });

  it('a seller coming back through a v2 link sends v2.core.account_link.returned to destinations that enable it', async () => {
    await withOwnDestination(['v2.core.account_link.returned'], async (own, dest) => {
      const account = await stripe.v2.core.accounts.create(recipientParams('returned@example.test'));
      expect((await onboardV2(account.id)).status).toBe(303);
      await idle();
      expect(own.notifications.map((n) => n.type)).toEqual(['v2.core.account_link.returned']);
      const raw = JSON.parse(own.bodies[0]) as Record<string, unknown>;
      expect(raw.related_object).toBeUndefined();
      const event = await own.notifications[0].fetchEvent();
      expect((event as { data?: unknown }).data).toEqual({ account_id: account.id, configurations: ['recipient'], use_case: 'account_onboarding' });
      await stripe.v2.core.eventDestinations.del(dest.id);
    });
  });

  it('a document Stripe still verifies: pending capabilities (awaiting Stripe), then verified or failed through the control API', async () => {
    const ok = await stripe.v2.core.accounts.create(recipientParams('pending@example.test'));
    expect((await onboardV2(ok.id, 'pending')).status).toBe(303);
    const pending = await stripe.v2.core.accounts.retrieve(ok.id, { include: ['configuration.recipient', 'requirements'] });
    expect(pending.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers).toEqual({
      status: 'pending',
      status_details: [{ code: 'requirements_pending_verification', resolution: 'no_resolution' }],
    });
    expect(pending.requirements?.entries).toEqual([expect.objectContaining({ awaiting_action_from: 'stripe', minimum_deadline: { status: 'currently_due' } })]);
    expect(await stripe.accounts.retrieve(ok.id)).toMatchObject({ capabilities: { transfers: 'pending' }, requirements: { disabled_reason: 'requirements.pending_verification' } });
    await control(sandbox.url, 'POST', `/_sandbox/accounts/${ok.id}/verification`, { outcome: 'verified' });
    const verified = await stripe.v2.core.accounts.retrieve(ok.id, { include: ['configuration.recipient', 'requirements'] });
    expect(verified.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers?.status).toBe('active');
    expect(verified.requirements?.entries).toEqual([]);
    expect((await stripe.accounts.retrieve(ok.id)).capabilities?.transfers).toBe('active');
    await idle();
    const statusEvents = thin.notifications.filter((n) => relatedId(n) === ok.id && n.type === 'v2.core.account[configuration.recipient].capability_status_updated');
    expect(statusEvents).toHaveLength(4); // restricted -> pending -> active, for stripe_transfers and payouts
    expect((await controlCall(sandbox.url, 'POST', `/_sandbox/accounts/${ok.id}/verification`, { outcome: 'verified' })).status).toBe(400);

    const bad = await stripe.v2.core.accounts.create(recipientParams('failed@example.test'));
    expect((await onboardV2(bad.id, 'pending')).status).toBe(303);
    await control(sandbox.url, 'POST', `/_sandbox/accounts/${bad.id}/verification`, { outcome: 'failed' });
    const failed = await stripe.v2.core.accounts.retrieve(bad.id, { include: ['configuration.recipient', 'requirements'] });
    expect(failed.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers?.status).toBe('restricted');
    expect(failed.requirements?.entries?.[0]).toMatchObject({
      awaiting_action_from: 'user',
      errors: [{ code: 'verification_failed_other', description: expect.any(String) }],
      minimum_deadline: { status: 'past_due' },
    });
    expect((await stripe.accounts.retrieve(bad.id)).requirements?.errors?.[0]?.code).toBe('verification_failed_other');
  });
});
