import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { controlCall, destinationCharge, onboardedAccount, sdk, stripeError, usd, waitUntil } from './support/stripe-sandbox-harness.js';

// Restricted keys: "you select which Stripe resources the key can access and the permissions for
// each resource: Read, Write, or None". A request without the permission is refused with 403
// invalid_request_error ("does not have the required permissions for this endpoint on account
// ... Having the 'rak_..._read' permission would allow this request to continue") and changes
// nothing; on connected accounts (Stripe-Account) the key's Connect permissions apply.
describe('stripe sandbox restricted keys', () => {
  let sandbox: RunningSandbox;
  const SECRET_KEY = 'sk_test_restricted_platform';

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const readOnly = { balance: 'read', payouts: 'read', transfers: 'read', charges: 'read', events: 'read' } as const;

  it('a read-only key reads the platform and its connected accounts as the secret key does, and writes nothing', async () => {
    const stripe = sdk(sandbox, SECRET_KEY);
    const seller = await onboardedAccount(stripe);
    const charge = await destinationCharge(stripe, seller, { amount: 10_000, fee: 1000 });
    const { id: rk, platform } = sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: readOnly, connect: { balance: 'read', payouts: 'read' } });
    expect(rk).toMatch(/^rk_test_/);
    const restricted = sdk(sandbox, rk);

    const noAccounts = await stripeError(restricted.accounts.retrieve(seller));
    expect(noAccounts.statusCode).toBe(403);
    expect(noAccounts.message).toContain("Having the 'rak_connected_account_read' permission");
    expect(await restricted.balance.retrieve()).toEqual(await stripe.balance.retrieve());
    expect(platform).toBe((await stripe.accounts.retrieveCurrent()).id);
    const txns = await restricted.balanceTransactions.list({ limit: 100 });
    expect(txns.data.map((t) => t.id)).toEqual((await stripe.balanceTransactions.list({ limit: 100 })).data.map((t) => t.id));
    expect((await restricted.charges.retrieve(charge.id)).amount).toBe(10_000);
    expect(await restricted.balance.retrieve({}, { stripeAccount: seller })).toEqual(await stripe.balance.retrieve({}, { stripeAccount: seller }));
    expect((await restricted.payouts.list({}, { stripeAccount: seller })).data).toEqual([]);

    const before = await stripe.balance.retrieve({}, { stripeAccount: seller });
    const transfersBefore = (await stripe.transfers.list({ destination: seller })).data;
    const refused = await stripeError(restricted.transfers.create({ amount: 100, currency: 'usd', destination: seller }));
    expect(refused.statusCode).toBe(403);
    expect(refused.type).toBe('StripePermissionError');
    expect(refused.raw).toMatchObject({ type: 'invalid_request_error' });
    expect(refused.message).toMatch(
      /^The provided key 'rk_test_\**\w{4}' does not have the required permissions for this endpoint on account 'acct_\w+'\. Having the 'rak_transfer_write' permission would allow this request to continue\.$/,
    );
    expect(refused.message).toContain(platform);
    expect((await stripe.transfers.list({ destination: seller })).data).toEqual(transfersBefore);

    // a write on a connected account with only read there: refused, nothing paid out
    const payout = await stripeError(restricted.payouts.create({ amount: 100, currency: 'usd' }, { stripeAccount: seller }));
    expect(payout.statusCode).toBe(403);
    expect(payout.message).toContain(`on account '${seller}'`);
    expect(payout.message).toContain("'rak_payout_write'");
    expect((await stripe.payouts.list({}, { stripeAccount: seller })).data).toEqual([]);
    expect(await stripe.balance.retrieve({}, { stripeAccount: seller })).toEqual(before);
  });

  it('needs the Connect permission to act on a connected account, even when it holds it on the platform', async () => {
    const stripe = sdk(sandbox, SECRET_KEY);
    const seller = await onboardedAccount(stripe);
    const { id: rk } = sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: readOnly });
    const restricted = sdk(sandbox, rk);
    expect(usd(await restricted.balance.retrieve(), 'pending')).toBe(usd(await stripe.balance.retrieve(), 'pending'));
    const err = await stripeError(restricted.balance.retrieve({}, { stripeAccount: seller }));
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain(`on account '${seller}'. Having the 'rak_balance_read' permission`);
    // an account of another platform stays account_invalid, as for the secret key
    const other = await onboardedAccount(sdk(sandbox, 'sk_test_restricted_other'));
    const foreign = await stripeError(restricted.balance.retrieve({}, { stripeAccount: other }));
    expect(foreign.statusCode).toBe(403);
    expect(foreign.code).toBe('account_invalid');
  });

  it('write covers read; a resource left out is None', async () => {
    const { id: rk } = sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: { webhook_endpoints: 'write' } });
    const restricted = sdk(sandbox, rk);
    const we = await restricted.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['payout.paid'] });
    expect((await restricted.webhookEndpoints.retrieve(we.id)).url).toBe('http://127.0.0.1:9/hook');
    const err = await stripeError(restricted.events.list());
    expect(err.statusCode).toBe(403);
    expect(err.message).toContain("Having the 'rak_event_read' permission would allow this request to continue.");
  });

  it('expand[] brings in only what the key may read; a balance transaction source needs Balance transaction sources', async () => {
    const stripe = sdk(sandbox, SECRET_KEY);
    const seller = await onboardedAccount(stripe);
    const charge = await destinationCharge(stripe, seller, { amount: 5000, fee: 500 });
    const chargesOnly = sdk(sandbox, sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: { charges: 'read' } }).id);
    expect((await chargesOnly.charges.retrieve(charge.id)).balance_transaction).toEqual(expect.stringMatching(/^txn_/));
    const noBalance = await stripeError(chargesOnly.charges.retrieve(charge.id, { expand: ['balance_transaction'] }));
    expect(noBalance.statusCode).toBe(403);
    expect(noBalance.message).toContain("Having the 'rak_balance_read' permission would allow this request to continue.");

    const balanceOnly = sdk(sandbox, sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: { balance: 'read', charges: 'read' } }).id);
    expect((await balanceOnly.charges.retrieve(charge.id, { expand: ['balance_transaction'] })).balance_transaction).toMatchObject({ object: 'balance_transaction', amount: 5000 });
    const noSources = await stripeError(balanceOnly.balanceTransactions.retrieve(charge.balance_transaction as string, { expand: ['source'] }));
    expect(noSources.statusCode).toBe(403);
    expect(noSources.message).toContain("Having the 'rak_balance_transaction_source_read' permission would allow this request to continue.");
    const withSources = sdk(sandbox, sandbox.control.createRestrictedKey({ secretKey: SECRET_KEY, permissions: { balance: 'read', balance_transaction_sources: 'read' } }).id);
    expect((await withSources.balanceTransactions.retrieve(charge.balance_transaction as string, { expand: ['source'] })).source).toMatchObject({ id: charge.id, object: 'charge' });
  });

  it('an unknown restricted key is 401 api_key_invalid, as any invalid key', async () => {
    const err = await stripeError(sdk(sandbox, 'rk_test_neverMadeByTheControlApi').balance.retrieve());
    expect(err.statusCode).toBe(401);
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.code).toBe('api_key_invalid');
    expect(err.message).toMatch(/^Invalid API Key provided: rk_test_\*+lApi$/);
  });

  it('over HTTP: POST /_sandbox/restricted_keys, validated', async () => {
    const made = await controlCall(sandbox.url, 'POST', '/_sandbox/restricted_keys', { secret_key: SECRET_KEY, permissions: { balance: 'read' } });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ id: expect.stringMatching(/^rk_test_/), permissions: { balance: 'read' }, connect: {} });
    expect(usd(await sdk(sandbox, made.json.id as string).balance.retrieve(), 'available')).toBe(usd(await sdk(sandbox, SECRET_KEY).balance.retrieve(), 'available'));
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/restricted_keys', { secret_key: 'rk_test_x', permissions: {} })).status).toBe(400);
    const badResource = await controlCall(sandbox.url, 'POST', '/_sandbox/restricted_keys', { secret_key: SECRET_KEY, permissions: { ledgers: 'read' } });
    expect(badResource.status).toBe(400);
    expect(String((badResource.json.error as { message: string }).message)).toMatch(/ledgers/);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/restricted_keys', { secret_key: SECRET_KEY, permissions: { balance: 'admin' } })).status).toBe(400);
  });

  it('restricted keys are kept in the state file across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-rk-'));
    const stateFile = path.join(dir, 'state.json');
    const first = await startSandbox({ port: 0, stateFile });
    const { id: rk } = first.control.createRestrictedKey({ secretKey: 'sk_test_restricted_restart', permissions: { balance: 'read' } });
    await waitUntil(() => fs.existsSync(stateFile) && JSON.parse(fs.readFileSync(stateFile, 'utf8')).restrictedKeys?.length === 1);
    await first.close();
    const second = await startSandbox({ port: 0, stateFile });
    try {
      const restricted = sdk(second, rk);
      expect(usd(await restricted.balance.retrieve(), 'available')).toBe(0);
      expect((await stripeError(restricted.payouts.list())).statusCode).toBe(403);
    } finally {
      await second.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
