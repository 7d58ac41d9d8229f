import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, controlCall, destinationCharge, form, onboardedAccount, sdk, startSandboxPlain, stripeError, usd } from './support/stripe-sandbox-harness.js';

const DAY = 86_400;

// Payouts (failures by bank account number, the control API, manual payouts) and account links.
describe('stripe sandbox payouts and account links', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  beforeAll(async () => {
    sandbox = await startSandboxPlain();
    stripe = sdk(sandbox);
  });
  afterAll(() => sandbox.close());

  /** An onboarded account holding 9000 available (a 10000 destination charge, 1000 fee, funds available at once). */
  async function fundedAccount(accountNumber: string, manual = false): Promise<string> {
    const account = await onboardedAccount(stripe, { accountNumber });
    if (manual) await stripe.accounts.update(account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    await destinationCharge(stripe, account, { paymentMethod: 'pm_card_bypassPending' });
    expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'available')).toBe(9000);
    return account;
  }

  it.each([
    ['000111111116', 'no_account'],
    ['000111111113', 'account_closed'],
    ['000222222227', 'insufficient_funds'],
  ])('bank account %s makes the automatic payout fail with %s as the clock advances', async (accountNumber, code) => {
    const account = await fundedAccount(accountNumber);
    const on = { stripeAccount: account };
    await advance(sandbox, 2 * DAY);
    const payouts = await stripe.payouts.list({}, on);
    expect(payouts.data).toHaveLength(1);
    const payout = payouts.data[0];
    expect(payout).toMatchObject({ status: 'failed', failure_code: code, automatic: true, amount: 9000 });
    expect(payout.failure_message).toBeTruthy();
    const failureTxn = await stripe.balanceTransactions.retrieve(payout.failure_balance_transaction as string, {}, on);
    expect(failureTxn).toMatchObject({ type: 'payout_failure', amount: 9000, source: payout.id });
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(9000);

    const failed = await stripe.events.list({ type: 'payout.failed' }, on);
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0].account).toBe(account);
    expect((failed.data[0].data.object as Stripe.Payout).failure_code).toBe(code);
    expect((await stripe.events.list({ type: 'payout.failed' })).data).toEqual([]);

    // As Stripe does: the bank account is errored and scheduled payouts stop.
    const bank = (await stripe.accounts.retrieve(account)).external_accounts?.data[0] as Stripe.BankAccount;
    expect(bank.status).toBe('errored');
    expect((await stripe.events.list({ type: 'account.external_account.updated' }, on)).data).toHaveLength(1);
    await advance(sandbox, 3 * DAY);
    expect((await stripe.payouts.list({}, on)).data).toHaveLength(1);
  });

  it('the control API turns a paid payout failed, with payout.failed carrying the account', async () => {
    const account = await fundedAccount('000123456789');
    const on = { stripeAccount: account };
    await advance(sandbox, 2 * DAY);
    const [payout] = (await stripe.payouts.list({ status: 'paid' }, on)).data;
    expect(payout.amount).toBe(9000);
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(0);

    const failed = await control(sandbox.url, 'POST', `/_sandbox/payouts/${payout.id}/fail`, { failure_code: 'could_not_process' });
    expect(failed).toMatchObject({ id: payout.id, status: 'failed', failure_code: 'could_not_process' });
    expect((await stripe.payouts.retrieve(payout.id, {}, on)).status).toBe('failed');
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(9000);
    const events = await stripe.events.list({ type: 'payout.failed' }, on);
    expect(events.data.map((e) => [e.account, (e.data.object as Stripe.Payout).id])).toEqual([[account, payout.id]]);
    const updated = await stripe.events.list({ type: 'payout.updated' }, on);
    expect(updated.data[0].data.previous_attributes).toMatchObject({ status: 'paid' });

    expect((await controlCall(sandbox.url, 'POST', `/_sandbox/payouts/${payout.id}/fail`, {})).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/payouts/po_missing/fail', {})).status).toBe(404);
  });

  it('manual payouts: from the available balance only, cancelable while pending, paid as the clock advances, no payout= listing', async () => {
    const account = await fundedAccount('000123456789', true);
    const on = { stripeAccount: account };

    const tooMuch = await stripeError(stripe.payouts.create({ amount: 9001, currency: 'usd' }, on));
    expect(tooMuch).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'balance_insufficient' });

    const first = await stripe.payouts.create({ amount: 5000, currency: 'usd', metadata: { batch: '1' } }, on);
    expect(first).toMatchObject({ status: 'pending', automatic: false, amount: 5000, metadata: { batch: '1' } });
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(4000);
    const canceled = await stripe.payouts.cancel(first.id, {}, on);
    expect(canceled.status).toBe('canceled');
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(9000);
    const canceledEvents = await stripe.events.list({ type: 'payout.canceled' }, on);
    expect(canceledEvents.data.map((e) => e.account)).toEqual([account]);

    const second = await stripe.payouts.create({ amount: 3000, currency: 'usd' }, on);
    const refused = await stripeError(stripe.balanceTransactions.list({ payout: second.id }, on));
    expect(refused).toMatchObject({ statusCode: 400, param: 'payout' });
    await advance(sandbox, DAY);
    expect((await stripe.payouts.retrieve(second.id, {}, on)).status).toBe('in_transit');
    await expect(stripe.payouts.cancel(second.id, {}, on)).rejects.toMatchObject({ statusCode: 400 });
    await advance(sandbox, 2 * DAY);
    expect((await stripe.payouts.retrieve(second.id, {}, on)).status).toBe('paid');
    // A manual schedule never pays out on its own.
    expect((await stripe.payouts.list({}, on)).data.map((p) => p.id)).toEqual([second.id, first.id]);
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(6000);
    expect((await stripe.events.list({ type: 'payout.paid' }, on)).data.map((e) => e.account)).toEqual([account]);
  });

  it('a manual payout to a failing bank account fails with its code', async () => {
    const account = await fundedAccount('000111111113', true);
    const on = { stripeAccount: account };
    const payout = await stripe.payouts.create({ amount: 9000, currency: 'usd' }, on);
    await advance(sandbox, 3 * DAY);
    expect(await stripe.payouts.retrieve(payout.id, {}, on)).toMatchObject({ status: 'failed', failure_code: 'account_closed' });
    expect(usd(await stripe.balance.retrieve({}, on), 'available')).toBe(9000);
  });

  describe('account links', () => {
    it('refuses account_update for accounts with a Stripe dashboard or where Stripe collects requirements', async () => {
      const express = await stripe.accounts.create({ type: 'express' });
      const err = await stripeError(stripe.accountLinks.create({ account: express.id, type: 'account_update', refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' }));
      expect(err).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'type' });
      const stripeCollects = await stripe.accounts.create({
        controller: { stripe_dashboard: { type: 'none' }, fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'stripe' },
      });
      await expect(stripe.accountLinks.create({ account: stripeCollects.id, type: 'account_update' })).rejects.toMatchObject({ statusCode: 400, param: 'type' });

      const custom = await stripe.accounts.create({
        controller: { stripe_dashboard: { type: 'none' }, fees: { payer: 'application' }, losses: { payments: 'application' }, requirement_collection: 'application' },
      });
      const link = await stripe.accountLinks.create({ account: custom.id, type: 'account_update', refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' });
      expect(link.url).toContain('/_sandbox/onboarding/');
    });

    it('sends an expired or used link to refresh_url', async () => {
      const account = await stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
      const params = { account: account.id, type: 'account_onboarding' as const, refresh_url: 'http://app.test/refresh', return_url: 'http://app.test/return' };
      const expiring = await stripe.accountLinks.create(params);
      expect(expiring.expires_at - expiring.created).toBe(300);
      await advance(sandbox, 299);
      expect((await form(expiring.url, {}, 'GET')).status).toBe(200);
      await advance(sandbox, 1);
      const expired = await form(expiring.url, {}, 'GET');
      expect(expired.status).toBe(303);
      expect(expired.headers.get('location')).toBe('http://app.test/refresh');
      expect((await form(expiring.url, { outcome: 'complete' })).headers.get('location')).toBe('http://app.test/refresh');
      expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(false);

      const fresh = await stripe.accountLinks.create(params);
      const done = await form(fresh.url, { outcome: 'complete', account_number: '000123456789' });
      expect(done.headers.get('location')).toBe('http://app.test/return');
      const used = await form(fresh.url, {}, 'GET');
      expect(used.status).toBe(303);
      expect(used.headers.get('location')).toBe('http://app.test/refresh');
      expect((await stripe.accounts.retrieve(account.id)).details_submitted).toBe(true);
    });
  });
});
