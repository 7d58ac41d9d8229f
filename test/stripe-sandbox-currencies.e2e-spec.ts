import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { control, onboardedAccount, sdk, startSandboxPlain, stripeError } from './support/stripe-sandbox-harness.js';

// Stripe's per-currency rules, as the sandbox reads them in Stripe's docs on its own (it shares no
// table with the marketplace): the minimum charge in the platform's settlement currency
// (converted at the current rate for other currencies), and three-decimal amounts ending in 0.
describe('stripe sandbox currency rules', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandboxPlain();
    await control(sandbox.url, 'POST', '/_sandbox/exchange_rates', { kwd: { usd: '3.25' } });
  });
  afterAll(() => sandbox.close());

  const session = (stripe: ReturnType<typeof sdk>, currency: string, unitAmount: number, quantity = 1, fee?: number, destination?: string) =>
    stripe.checkout.sessions.create({
      mode: 'payment',
      success_url: 'https://shop.example/ok',
      cancel_url: 'https://shop.example/cancel',
      line_items: [{ quantity, price_data: { currency, unit_amount: unitAmount, product_data: { name: 'Thing' } } }],
      ...(destination ? { payment_intent_data: { application_fee_amount: fee, transfer_data: { destination } } } : {}),
    });

  it('below the minimum charge: 400 amount_too_small, for a Checkout Session and a PaymentIntent, nothing created', async () => {
    const stripe = sdk(sandbox, 'sk_test_currency_min');
    const before = (await stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const cent = await stripeError(session(stripe, 'usd', 1));
    expect(cent).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'amount_too_small', message: 'Amount must be at least $0.50 usd' });
    const pi = await stripeError(stripe.paymentIntents.create({ amount: 49, currency: 'usd' }));
    expect(pi).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    expect((await stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(before);
    // ten cents five times is a 0.50 USD charge
    expect((await session(stripe, 'usd', 10, 5)).amount_total).toBe(50);
  });

  it('a charge converted into the settlement currency must meet its minimum after conversion', async () => {
    const stripe = sdk(sandbox, 'sk_test_currency_fx');
    // 60 JPY at 150 JPY per USD is 0.40 USD: below 0.50 USD although above Stripe's JPY minimum of 50
    const yen = await stripeError(stripe.paymentIntents.create({ amount: 60, currency: 'jpy' }));
    expect(yen).toMatchObject({ statusCode: 400, code: 'amount_too_small', message: 'Amount must convert to at least 50 cents. ¥60 converts to approximately $0.40.' });
    expect((await stripe.paymentIntents.create({ amount: 75, currency: 'jpy' })).amount).toBe(75);
    // 0.150 KWD at 3.25 USD is 0.49 USD
    expect(await stripeError(session(stripe, 'kwd', 150))).toMatchObject({ code: 'amount_too_small', message: 'Amount must convert to at least 50 cents. KWD 0.150 converts to approximately $0.49.' });
    expect((await session(stripe, 'kwd', 160)).amount_total).toBe(160);
  });

  it('a three-decimal amount whose last digit is not 0: 400 invalid_request_error, for sessions, fees, payment intents and refunds', async () => {
    const stripe = sdk(sandbox, 'sk_test_currency_kwd');
    const account = await onboardedAccount(stripe);
    const unit = await stripeError(session(stripe, 'kwd', 12_345));
    expect(unit).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'line_items[0][price_data][unit_amount]' });
    expect(unit.message).toContain('last) digit must be 0');
    const fee = await stripeError(session(stripe, 'kwd', 12_340, 1, 1_235, account));
    expect(fee).toMatchObject({ statusCode: 400, param: 'payment_intent_data[application_fee_amount]' });
    expect(await stripeError(stripe.paymentIntents.create({ amount: 5_124, currency: 'kwd' }))).toMatchObject({ statusCode: 400, param: 'amount' });
    for (const currency of ['bhd', 'jod', 'omr', 'tnd']) expect((await stripeError(stripe.paymentIntents.create({ amount: 5_125, currency }))).statusCode).toBe(400);

    // 12.340 KWD with a fee of 1.230 KWD is fine; a partial refund of 0.005 KWD is not, 0.010 is
    const ok = await session(stripe, 'kwd', 12_340, 1, 1_230, account);
    expect(ok).toMatchObject({ amount_total: 12_340, currency: 'kwd' });
    const pi = await stripe.paymentIntents.create({
      amount: 12_340,
      currency: 'kwd',
      payment_method: 'pm_card_visa',
      confirm: true,
      application_fee_amount: 1_230,
      transfer_data: { destination: account },
    });
    expect(pi.status).toBe('succeeded');
    const refund = await stripeError(stripe.refunds.create({ payment_intent: pi.id, amount: 5 }));
    expect(refund).toMatchObject({ statusCode: 400, param: 'amount' });
    expect((await stripe.refunds.list({ payment_intent: pi.id })).data).toEqual([]);
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 10 })).amount).toBe(10);
    // the charge settles in USD: 12.340 KWD at 3.25 is 40.11 USD (40.105 rounded half up)
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['balance_transaction'] });
    expect(charge.balance_transaction).toMatchObject({ amount: 4_011, currency: 'usd', exchange_rate: 3.25 });
  });
});
