import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { control, form, onboardedAccount, sdk, useWiredSandbox, stripeError, type Receiver } from './support/stripe-sandbox-harness.js';

// Drives the sandbox only through the real `stripe` SDK, plus plain HTTP for the hosted pages and
// the control API, with a local receiver that verifies every webhook with constructEvent.
describe('stripe sandbox through the real SDK', () => {
  let sandbox: RunningSandbox;
  let receiver: Receiver;
  let stripe: Stripe;

  useWiredSandbox((w) => ({ receiver, sandbox, stripe } = w));

  it('runs a destination charge from onboarding to a paid payout whose transactions sum to its amount', async () => {
    const account = await stripe.accounts.create({
      controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, stripe_dashboard: { type: 'express' } },
      capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
      country: 'US',
      email: 'seller@example.com',
    });
    expect(account.charges_enabled).toBe(false);
    expect(account.requirements?.currently_due).toContain('external_account');

    const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'http://app.test/refresh', return_url: 'http://app.test/return' });
    expect(link.url.startsWith(`${sandbox.url}/_sandbox/onboarding/`)).toBe(true);
    expect(link.expires_at - link.created).toBe(300);
    const pageHtml = await (await fetch(link.url)).text();
    expect(pageHtml).toContain('account_number');
    const submitted = await form(link.url, { outcome: 'complete', account_number: '000123456789', routing_number: '110000000' });
    expect(submitted.status).toBe(303);
    expect(submitted.headers.get('location')).toBe('http://app.test/return');
    // Single use: the second visit goes to refresh_url.
    const reused = await form(link.url, { outcome: 'complete' });
    expect(reused.headers.get('location')).toBe('http://app.test/refresh');

    const onboarded = await stripe.accounts.retrieve(account.id);
    expect(onboarded.charges_enabled).toBe(true);
    expect(onboarded.payouts_enabled).toBe(true);
    expect(onboarded.capabilities?.transfers).toBe('active');

    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 5000, product_data: { name: 'Widget' } }, quantity: 2 }],
      payment_intent_data: { application_fee_amount: 1000, transfer_data: { destination: account.id }, metadata: { order: 'o_1' } },
      success_url: 'http://app.test/success?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://app.test/cancel',
      client_reference_id: 'order_1',
    });
    expect(session.url).toBe(`${sandbox.url}/_sandbox/checkout/${session.id}`);
    expect(session.amount_total).toBe(10000);

    const declined = await form(session.url!, { card_number: '4000000000000002' });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined.');
    const paid = await form(session.url!, { card_number: '4242424242424242' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://app.test/success?session=${session.id}`);

    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(completed.status).toBe('complete');
    expect(completed.payment_status).toBe('paid');
    const pi = completed.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('succeeded');
    const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['balance_transaction'] });
    const chargeTxn = charge.balance_transaction as Stripe.BalanceTransaction;
    expect(chargeTxn.fee).toBe(320); // 2.9% of 10000 + 30
    expect(chargeTxn.status).toBe('pending');
    const transfer = await stripe.transfers.retrieve(charge.transfer as string);
    expect(transfer.amount).toBe(10000);
    expect(transfer.destination).toBe(account.id);
    const fees = await stripe.applicationFees.list({ charge: charge.id });
    expect(fees.data).toHaveLength(1);
    expect(fees.data[0].amount).toBe(1000);
    expect(fees.data[0].charge).toBe(transfer.destination_payment);
    expect(fees.data[0].originating_transaction).toBe(charge.id);

    await sandbox.control.webhooksIdle();
    expect(receiver.failures).toEqual([]);
    const types = receiver.events.map((e) => e.type);
    for (const t of [
      'account.updated',
      'capability.updated',
      'charge.succeeded',
      'payment_intent.succeeded',
      'checkout.session.completed',
      'transfer.created',
      'application_fee.created',
      'charge.failed',
    ])
      expect(types).toContain(t);
    const accountUpdated = receiver.events.find((e) => e.type === 'account.updated');
    expect(accountUpdated?.account).toBe(account.id);
    expect(receiver.events.find((e) => e.type === 'transfer.created')?.account).toBeUndefined();

    const refund = await stripe.refunds.create({ charge: charge.id, amount: 4000, reverse_transfer: true, refund_application_fee: true });
    expect(refund.status).toBe('succeeded');
    const reversal = await stripe.transfers.listReversals(transfer.id);
    expect(reversal.data.map((r) => r.amount)).toEqual([4000]);
    expect(reversal.data[0].source_refund).toBe(refund.id);
    const fee = await stripe.applicationFees.retrieve(fees.data[0].id);
    expect(fee.amount_refunded).toBe(400);
    await expect(stripe.refunds.create({ charge: charge.id, amount: 7000 })).rejects.toMatchObject({ statusCode: 400, param: 'amount' });

    const connected = { stripeAccount: account.id };
    const before = await stripe.balance.retrieve({}, connected);
    expect(before.pending.find((b) => b.currency === 'usd')?.amount).toBe(9000);

    await control(sandbox.url, 'POST', '/_sandbox/clock/advance', { seconds: 5 * 86_400 });
    const payouts = await stripe.payouts.list({}, connected);
    expect(payouts.data.length).toBeGreaterThanOrEqual(1);
    const payout = payouts.data[payouts.data.length - 1];
    expect(payout.automatic).toBe(true);
    expect(payout.status).toBe('paid');
    // 10000 payment - 1000 fee - 4000 reversed + 400 fee refunded
    expect(payout.amount).toBe(5400);

    const txns: Stripe.BalanceTransaction[] = [];
    for await (const t of stripe.balanceTransactions.list({ payout: payout.id, limit: 2 }, connected)) txns.push(t);
    const own = txns.filter((t) => t.type === 'payout');
    expect(own).toHaveLength(1);
    const contents = txns.filter((t) => t.type !== 'payout');
    expect(contents.reduce((s, t) => s + t.net, 0)).toBe(payout.amount);
    expect(txns.reduce((s, t) => s + t.net, 0)).toBe(0);

    await sandbox.control.webhooksIdle();
    const paidEvent = receiver.events.find((e) => e.type === 'payout.paid');
    expect(paidEvent?.account).toBe(account.id);
    const delivered = await stripe.events.list({ type: 'payout.paid', delivery_success: true }, connected);
    expect(delivered.data).toHaveLength(1);
  });

  it('replays a transfer whose response was lost, so a retry with the same key leaves one transfer', async () => {
    const account = await onboardedAccount(stripe);
    // Funds available at once on the platform.
    await stripe.paymentIntents.create({ amount: 20000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
    // Two lost responses: the SDK's own retry of a closed connection is lost too.
    await control(sandbox.url, 'POST', '/_sandbox/faults', { method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 2 });
    const params = { amount: 1500, currency: 'usd', destination: account, transfer_group: 'lost-response' };
    await expect(stripe.transfers.create(params, { idempotencyKey: 'transfer-lost-1' })).rejects.toMatchObject({ type: 'StripeConnectionError' });
    const retried = await stripe.transfers.create(params, { idempotencyKey: 'transfer-lost-1' });
    const again = await stripe.transfers.create(params, { idempotencyKey: 'transfer-lost-1' });
    expect(again.id).toBe(retried.id);
    const list = await stripe.transfers.list({ transfer_group: 'lost-response' });
    expect(list.data.map((t) => t.id)).toEqual([retried.id]);

    const mismatch = await stripeError(stripe.transfers.create({ ...params, amount: 1600 }, { idempotencyKey: 'transfer-lost-1' }));
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.type).toBe('StripeIdempotencyError');
  });

  it('answers bad input with Stripe-shaped errors', async () => {
    const unknown = await stripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_x', bogus: 'x' } as Stripe.TransferCreateParams));
    expect(unknown).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'parameter_unknown', param: 'bogus' });
    const missing = await stripeError(stripe.transfers.create({ amount: 100, currency: 'usd' } as Stripe.TransferCreateParams));
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'destination' });
    const wrongType = await stripeError(stripe.payouts.create({ amount: 'ten' as unknown as number, currency: 'usd' }));
    expect(wrongType).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'amount' });
    const missingTransfer = await stripeError(stripe.transfers.retrieve('tr_doesnotexist'));
    expect(missingTransfer).toMatchObject({ statusCode: 404, type: 'StripeInvalidRequestError', code: 'resource_missing', param: 'id' });
    const unknownAccount = await stripeError(stripe.balance.retrieve({}, { stripeAccount: 'acct_unknown123' }));
    expect(unknownAccount).toMatchObject({ statusCode: 403, code: 'account_invalid' });

    const mine = await onboardedAccount(stripe);
    const other = sdk(sandbox, 'sk_test_platform_two');
    const foreign = await stripeError(other.accounts.retrieve(mine));
    expect(foreign).toMatchObject({ statusCode: 403, code: 'account_invalid' });
    const foreignHeader = await stripeError(other.payouts.list({}, { stripeAccount: mine }));
    expect(foreignHeader).toMatchObject({ statusCode: 403, code: 'account_invalid' });
    const noFunds = await stripeError(other.transfers.create({ amount: 100, currency: 'usd', destination: await onboardedAccount(other) }));
    expect(noFunds).toMatchObject({ statusCode: 400, code: 'balance_insufficient' });
    const declined = await stripeError(stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds', confirm: true }));
    expect(declined).toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'card_declined' });
    expect((declined.raw as { decline_code: string }).decline_code).toBe('insufficient_funds');
  });
});
