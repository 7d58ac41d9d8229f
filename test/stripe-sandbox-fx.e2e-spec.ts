import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { control, controlCall, destinationCharge, onboardedAccount, sdk, startSandboxPlain, stripeError, usd } from './support/stripe-sandbox-harness.js';

// A charge in another currency than the platform's settlement currency settles converted: its
// balance transactions are in the settlement currency with `exchange_rate`, Stripe's fee is in
// the settlement currency, and a destination charge's transfer and application fee move settled
// funds. Rates come from the sandbox's table (POST /_sandbox/exchange_rates).
describe('stripe sandbox currency conversion', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandboxPlain();
  });
  afterAll(() => sandbox.close());

  const total = (b: Stripe.Balance, currency: string) => (b.available.find((x) => x.currency === currency)?.amount ?? 0) + (b.pending.find((x) => x.currency === currency)?.amount ?? 0);

  it('a EUR destination charge on a USD platform: USD balance transactions with exchange_rate, fee in USD, transfer and application fee in USD; refunds at the current rate', async () => {
    const table = await control(sandbox.url, 'POST', '/_sandbox/exchange_rates', { eur: { usd: '1.10' } });
    expect((table.eur as Record<string, string>).usd).toBe('1.10');
    const stripe = sdk(sandbox, 'sk_test_fx_one');
    expect((await stripe.accounts.retrieveCurrent()).default_currency).toBe('usd');
    const account = await onboardedAccount(stripe);
    const pi = await stripe.paymentIntents.create({
      amount: 10_000,
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: true,
      application_fee_amount: 1000,
      transfer_data: { destination: account },
    });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['balance_transaction'] });
    expect(charge).toMatchObject({ amount: 10_000, currency: 'eur', application_fee_amount: 1000 });
    const txn = charge.balance_transaction as Stripe.BalanceTransaction;
    // 100.00 EUR at 1.10 is 110.00 USD; Stripe's fee is 2.9% of that + 0.30 USD
    expect(txn).toMatchObject({ amount: 11_000, currency: 'usd', exchange_rate: 1.1, fee: 349, net: 10_651 });
    expect(txn.fee_details).toEqual([expect.objectContaining({ amount: 349, currency: 'usd', type: 'stripe_fee' })]);
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    expect(transfer).toMatchObject({ amount: 11_000, currency: 'usd' });
    const [fee] = (await stripe.applicationFees.list({ charge: charge.id })).data;
    expect(fee).toMatchObject({ amount: 1100, currency: 'usd' });
    expect(total(await stripe.balance.retrieve({}, { stripeAccount: account }), 'usd')).toBe(11_000 - 1100);
    expect(total(await stripe.balance.retrieve(), 'usd')).toBe(11_000 - 349 - 11_000 + 1100);
    expect(total(await stripe.balance.retrieve(), 'eur')).toBe(0);

    const half = await stripe.refunds.create({ charge: charge.id, amount: 5000, reverse_transfer: true, refund_application_fee: true, expand: ['balance_transaction'] });
    expect(half).toMatchObject({ amount: 5000, currency: 'eur' });
    expect(half.balance_transaction).toMatchObject({ amount: -5500, currency: 'usd', exchange_rate: 1.1 });
    expect((await stripe.transfers.retrieve(charge.transfer as string)).amount_reversed).toBe(5500);
    expect((await stripe.applicationFees.retrieve(fee!.id)).amount_refunded).toBe(550);

    // the rate moves; the rest is refunded at the new rate, the seller returns what is left of the transfer
    await control(sandbox.url, 'POST', '/_sandbox/exchange_rates', { eur: { usd: '1.2' } });
    const rest = await stripe.refunds.create({ charge: charge.id, reverse_transfer: true, refund_application_fee: true, expand: ['balance_transaction'] });
    expect(rest.balance_transaction).toMatchObject({ amount: -6000, currency: 'usd', exchange_rate: 1.2 });
    expect((await stripe.transfers.retrieve(charge.transfer as string)).reversed).toBe(true);
    expect((await stripe.applicationFees.retrieve(fee!.id)).amount_refunded).toBe(1100);
    expect(total(await stripe.balance.retrieve({}, { stripeAccount: account }), 'usd')).toBe(0);
    // the platform bore Stripe's fee and the exchange-rate move (5 000 EUR out at 1.2, in at 1.1)
    expect(total(await stripe.balance.retrieve(), 'usd')).toBe(-349 - 500);

    // a dispute on a EUR charge withdraws USD at the current rate, plus the USD dispute fee
    const other = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur', payment_method: 'pm_card_visa', confirm: true });
    const dispute = await control(sandbox.url, 'POST', `/_sandbox/charges/${String(other.latest_charge)}/dispute`, {});
    expect(dispute).toMatchObject({ amount: 2000, currency: 'eur' });
    expect((dispute.balance_transactions as Stripe.BalanceTransaction[])[0]).toMatchObject({ amount: -2400, currency: 'usd', fee: 1500, exchange_rate: 1.2 });
  });

  it('a platform set to settle in EUR converts USD charges with the inverse of the EUR->USD rate; a pair without a rate is refused before anything moves', async () => {
    await control(sandbox.url, 'POST', '/_sandbox/exchange_rates', { eur: { usd: '1.08' } });
    const stripe = sdk(sandbox, 'sk_test_fx_two');
    const platform = (await stripe.accounts.retrieveCurrent()).id;
    expect(await control(sandbox.url, 'POST', `/_sandbox/platforms/${platform}/settlement_currency`, { currency: 'EUR' })).toEqual({ platform, settlement_currency: 'eur' });
    expect((await stripe.accounts.retrieveCurrent()).default_currency).toBe('eur');
    const account = await onboardedAccount(stripe);
    const charge = await destinationCharge(stripe, account, { amount: 10_800, fee: 1080 });
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    // 1 / 1.08 EUR per USD, exactly: 108.00 USD is 100.00 EUR
    expect(txn).toMatchObject({ amount: 10_000, currency: 'eur', fee: 320 });
    expect(txn.exchange_rate).toBeCloseTo(1 / 1.08, 10);
    expect(total(await stripe.balance.retrieve({}, { stripeAccount: account }), 'eur')).toBe(9000);
    expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'pending')).toBe(0);
    // a transfer from this charge is in EUR, the currency of its balance transaction
    const wrong = await stripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination: account, source_transaction: charge.id }));
    expect(wrong).toMatchObject({ statusCode: 400, param: 'currency' });

    const chf = await stripeError(stripe.paymentIntents.create({ amount: 5000, currency: 'chf', payment_method: 'pm_card_visa', confirm: true }));
    expect(chf).toMatchObject({ statusCode: 400, param: 'currency' });
    expect(chf.message).toContain('exchange rate from chf to eur');
    expect((await stripe.charges.list()).data.filter((c) => c.currency === 'chf')).toEqual([]);

    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/exchange_rates', { chf: { eur: 1.05 } })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/exchange_rates', { chf: { eur: '-1' } })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/platforms/acct_nope/settlement_currency', { currency: 'eur' })).status).toBe(404);
    await control(sandbox.url, 'POST', '/_sandbox/exchange_rates', { chf: { eur: '1.05' } });
    const paid = await stripe.paymentIntents.create({ amount: 5000, currency: 'chf', payment_method: 'pm_card_visa', confirm: true });
    const chfTxn = await stripe.balanceTransactions.retrieve((await stripe.charges.retrieve(paid.latest_charge as string)).balance_transaction as string);
    expect(chfTxn).toMatchObject({ amount: 5250, currency: 'eur', exchange_rate: 1.05 });
    expect((await control(sandbox.url, 'GET', '/_sandbox/exchange_rates')).chf).toEqual({ eur: '1.05' });
  });
});
