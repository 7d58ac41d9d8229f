// STRIPE_RECONCILIATION_KEY: reconciliation reads Stripe with a restricted, read-only key. The
// app's RECONCILIATION_GATEWAY reads with it (the platform's balance and a connected account's),
// and a write through it is refused by Stripe (403) and mapped to a definitive, non-retryable error.
import { RECONCILIATION_GATEWAY, StripeGateway, StripeGatewayError, idempotencyKey } from '@app/stripe';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { destinationCharge, onboardedAccount, sdk } from './support/stripe-sandbox-harness.js';
import { STRIPE_TEST_KEY, startTestApp, type TestApp } from './support/test-app.js';

let sandbox: RunningSandbox;
let t: TestApp;
let seller: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  const stripe = sdk(sandbox, STRIPE_TEST_KEY);
  seller = await onboardedAccount(stripe);
  await destinationCharge(stripe, seller, { amount: 10_000, fee: 1000 });
  const { id: rk } = sandbox.control.createRestrictedKey({
    secretKey: STRIPE_TEST_KEY,
    permissions: { balance: 'read', payouts: 'read', transfers: 'read', charges: 'read', refunds: 'read', disputes: 'read', application_fees: 'read', events: 'read', accounts: 'read' },
    connect: { balance: 'read', payouts: 'read', transfers: 'read', charges: 'read', refunds: 'read', disputes: 'read', application_fees: 'read', events: 'read' },
  });
  t = await startTestApp({ sandbox, env: { STRIPE_RECONCILIATION_KEY: rk } });
});
afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe('STRIPE_RECONCILIATION_KEY', () => {
  it('reads the platform and connected accounts with the restricted key, as the main key does', async () => {
    const reader = t.app.get<StripeGateway>(RECONCILIATION_GATEWAY);
    const main = t.app.get(StripeGateway);
    expect(reader).not.toBe(main);
    const balance = await reader.retrieveBalance();
    expect(balance).toEqual(await main.retrieveBalance());
    expect(balance.pending.length).toBeGreaterThan(0);
    expect(await reader.retrieveBalance(seller)).toEqual(await main.retrieveBalance(seller));
  });

  it('a write through it is refused by Stripe with the permission error: definitive, not retried, nothing paid out', async () => {
    const reader = t.app.get<StripeGateway>(RECONCILIATION_GATEWAY);
    const requestsBefore = sandbox.control.requestStats({ windowSeconds: 600, key: 'POST /v1/payouts' }).total;
    const error = await reader.createPayout({ account: seller, amount: 100n, currency: 'usd', metadata: {} }, idempotencyKey('payout', 'reconciliation-key-e2e')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StripeGatewayError);
    const refusal = error as StripeGatewayError;
    expect(refusal.code).toBe('STRIPE.AUTHENTICATION');
    expect(refusal.definitiveRefusal).toBe(true);
    expect(refusal.outcomeUnknown).toBe(false);
    expect(refusal.info.httpStatus).toBe(403);
    expect(refusal.message).toContain("Having the 'rak_payout_write' permission would allow this request to continue.");
    // one request: the gateway did not retry it
    expect(sandbox.control.requestStats({ windowSeconds: 600, key: 'POST /v1/payouts' }).total - requestsBefore).toBe(1);
    expect((await sdk(sandbox, STRIPE_TEST_KEY).payouts.list({}, { stripeAccount: seller })).data).toEqual([]);
  });
});
