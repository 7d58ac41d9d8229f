import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { idempotencyKey } from './idempotency-key.js';
import { createStripeClient } from './stripe-client.js';
import { StripeConfig } from './stripe.config.js';
import { accountV2CreateParams, StripeGateway } from './stripe-gateway.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

// A stand-in for Stripe's HTTP server that records what the real SDK sends through the gateway.
let server: Server;
let seen: Seen[] = [];
let answers: Array<{ status: number; body: unknown }> = [];
let gateway: StripeGateway;

const ACCOUNT = {
  id: 'acct_v2_1',
  object: 'v2.core.account',
  applied_configurations: ['recipient'],
  created: '2026-12-01T10:00:00.000Z',
  livemode: false,
  dashboard: 'express',
  contact_email: 'seller@example.com',
  display_name: 'Acme Ceramics',
  identity: { country: 'us' },
  metadata: { seller_id: 'seller-1' },
  configuration: {
    recipient: {
      applied: true,
      capabilities: { stripe_balance: { stripe_transfers: { status: 'pending', status_details: [{ code: 'requirements_pending_verification', resolution: 'provide_info' }] } } },
    },
  },
  requirements: {
    entries: [
      {
        awaiting_action_from: 'user',
        description: 'identity.individual.id_number',
        errors: [],
        impact: { restricts_capabilities: [{ capability: 'stripe_balance.stripe_transfers', configuration: 'recipient', deadline: { status: 'currently_due' } }] },
        minimum_deadline: { status: 'currently_due' },
        requested_reasons: [{ code: 'routine_onboarding' }],
      },
    ],
    summary: { minimum_deadline: { status: 'currently_due', time: '2026-12-31T00:00:00.000Z' } },
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      const answer = answers.shift() ?? { status: 200, body: ACCOUNT };
      res.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': `req_${seen.length}` });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const config = Object.assign(new StripeConfig(), {
    STRIPE_API_BASE: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    STRIPE_MAX_RETRIES: 2,
    STRIPE_RETRY_BASE_MS: 1,
  });
  gateway = new StripeGateway(createStripeClient(config), config, { take: async () => undefined }, { info: () => undefined, warn: () => undefined });
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  seen = [];
  answers = [];
});

const input = { sellerId: 'seller-1', email: 'seller@example.com', country: 'US', displayName: 'Acme Ceramics', merchantOfRecord: false };

describe('Accounts v2 through the gateway', () => {
  it('creates a recipient account as JSON, with the key derived from the seller', async () => {
    const account = await gateway.createAccountV2(input, idempotencyKey('account', 'seller-1'));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v2/core/accounts' });
    expect(seen[0]!.headers['content-type']).toMatch(/application\/json/);
    expect(seen[0]!.headers['idempotency-key']).toBe('account:seller-1');
    expect(JSON.parse(seen[0]!.body)).toEqual({
      contact_email: 'seller@example.com',
      display_name: 'Acme Ceramics',
      dashboard: 'express',
      identity: { country: 'us' },
      configuration: { recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } } },
      defaults: { responsibilities: { fees_collector: 'application', losses_collector: 'application' } },
      metadata: { seller_id: 'seller-1' },
      include: ['configuration.merchant', 'configuration.recipient', 'identity', 'requirements'],
    });
    expect(account).toMatchObject({
      api: 'v2',
      id: 'acct_v2_1',
      country: 'US',
      recipient: { applied: true, stripeTransfers: { status: 'pending', reasons: ['requirements_pending_verification'] }, payouts: null },
      merchant: null,
      requirements: {
        entries: [
          {
            description: 'identity.individual.id_number',
            awaitingActionFrom: 'user',
            deadlineStatus: 'currently_due',
            restricts: [{ configuration: 'recipient', capability: 'stripe_balance.stripe_transfers', deadlineStatus: 'currently_due' }],
          },
        ],
        minimumDeadline: new Date('2026-12-31T00:00:00.000Z'),
      },
    });
  });

  it('the merchant of record also gets the merchant configuration with card_payments', () => {
    expect(accountV2CreateParams({ ...input, merchantOfRecord: true }).configuration).toEqual({
      recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested: true } } } },
      merchant: { capabilities: { card_payments: { requested: true } } },
    });
  });

  // Stripe's v2 idempotency: a retry with the key of a failed request is not answered with the
  // stored failure (v1 replays even a 500) but carries the work to completion: retrying is safe
  // and returns the one account.
  it('a 500 is retried with the same key and its answer is the account', async () => {
    answers = [{ status: 500, body: { error: { type: 'api_error', code: 'internal_error', message: 'boom' } } }];
    const account = await gateway.createAccountV2(input, idempotencyKey('account', 'seller-1'));
    expect(account.id).toBe('acct_v2_1');
    expect(seen.map((s) => [s.path, s.headers['idempotency-key'], s.body])).toEqual([
      ['/v2/core/accounts', 'account:seller-1', seen[0]!.body],
      ['/v2/core/accounts', 'account:seller-1', seen[0]!.body],
    ]);
  });

  it('an account link: use case account_onboarding, no configurations (removed in 2026-09-30)', async () => {
    answers = [
      {
        status: 200,
        body: {
          object: 'v2.core.account_link',
          account: 'acct_v2_1',
          created: '2026-12-01T10:00:00.000Z',
          expires_at: '2026-12-01T10:05:00.000Z',
          livemode: false,
          url: 'https://connect.stripe.com/setup/x',
          use_case: { type: 'account_onboarding' },
        },
      },
    ];
    const link = await gateway.createAccountLinkV2({ account: 'acct_v2_1', refreshUrl: 'http://m/refresh', returnUrl: 'http://m/return' }, idempotencyKey('account_link', 's', '1'));
    expect(link).toEqual({ url: 'https://connect.stripe.com/setup/x', expiresAt: new Date('2026-12-01T10:05:00.000Z') });
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v2/core/account_links' });
    const body = JSON.parse(seen[0]!.body);
    expect(body).toEqual({
      account: 'acct_v2_1',
      use_case: { type: 'account_onboarding', account_onboarding: { refresh_url: 'http://m/refresh', return_url: 'http://m/return', collection_options: { fields: 'currently_due' } } },
    });
    expect(JSON.stringify(body)).not.toMatch(/configurations/);
  });

  it('reads an account with its configurations and requirements included', async () => {
    await gateway.retrieveAccountV2('acct_v2_1');
    expect(seen[0]!.method).toBe('GET');
    const url = new URL(seen[0]!.path, 'http://x');
    expect(url.pathname).toBe('/v2/core/accounts/acct_v2_1');
    // the SDK writes arrays in the query as include[0]=..&include[1]=..
    expect([...url.searchParams.entries()].filter(([k]) => k.startsWith('include')).map(([, v]) => v)).toEqual(['configuration.merchant', 'configuration.recipient', 'identity', 'requirements']);
  });

  it('balance settings are read and set with Stripe-Account', async () => {
    const settings = {
      object: 'balance_settings',
      payments: { debit_negative_balances: false, payouts: { schedule: { interval: 'manual' }, status: 'enabled' }, settlement_timing: { delay_days: 2 } },
    };
    answers = [
      { status: 200, body: settings },
      { status: 200, body: settings },
    ];
    expect(await gateway.updatePayoutSchedule('acct_v2_1', 'manual', idempotencyKey('payout_schedule', 'acct_v2_1'))).toEqual({ payoutsStatus: 'enabled', payoutInterval: 'manual' });
    expect(await gateway.retrieveBalanceSettings('acct_v2_1')).toEqual({ payoutsStatus: 'enabled', payoutInterval: 'manual' });
    expect(seen.map((s) => [s.method, s.path, s.headers['stripe-account']])).toEqual([
      ['POST', '/v1/balance_settings', 'acct_v2_1'],
      ['GET', '/v1/balance_settings', 'acct_v2_1'],
    ]);
    expect(decodeURIComponent(seen[0]!.body)).toBe('payments[payouts][schedule][interval]=manual');
  });
});

// The gateway's /v2 requests are typed by the SDK's params: a misspelt or invented field is a
// compile error (tsc checks this file), not a 400 from Stripe. Each line below must fail to compile.
describe("the SDK's request types guard the v2 bodies", () => {
  it('refuses misspelt fields at compile time', () => {
    const misspelt: Stripe.V2.Core.AccountCreateParams[] = [
      // @ts-expect-error contact_email, not contact_mail
      { contact_mail: 'x@example.com' },
      // @ts-expect-error the dashboard is express, full or none
      { dashboard: 'expres' },
      // @ts-expect-error losses_collector, not loss_collector
      { defaults: { responsibilities: { fees_collector: 'application', loss_collector: 'application' } } },
      // @ts-expect-error the create params request only stripe_transfers on the recipient's stripe_balance
      { configuration: { recipient: { capabilities: { stripe_balance: { payouts: { requested: true } } } } } },
    ];
    const link: Stripe.V2.Core.AccountLinkCreateParams = {
      account: 'acct_1',
      // @ts-expect-error configurations was removed from account links (API version 2026-09-30)
      use_case: { type: 'account_onboarding', account_onboarding: { refresh_url: 'r', return_url: 'u', configurations: ['recipient'] } },
    };
    expect(misspelt).toHaveLength(4);
    expect(link.account).toBe('acct_1');
  });
});
