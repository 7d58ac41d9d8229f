import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, controlCall, destinationCharge, form, onboardedAccount, sdk, startSandboxPlain, stripeError, usd } from './support/stripe-sandbox-harness.js';

// Money movements beyond the happy path: disputes, manual capture, transfers with
// source_transaction and transfer reversals. Each test uses its own platform key.
describe('stripe sandbox disputes, manual capture and transfers', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandboxPlain();
  });
  afterAll(() => sandbox.close());

  async function payThroughCheckout(stripe: Stripe, destination: string, card: string, extra: Partial<Stripe.Checkout.SessionCreateParams.PaymentIntentData> = {}): Promise<Stripe.Checkout.Session> {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 10_000, product_data: { name: 'Item' } }, quantity: 1 }],
      payment_intent_data: { application_fee_amount: 1000, transfer_data: { destination }, ...extra },
      success_url: 'http://app.test/ok',
    });
    const res = await form(session.url!, { card_number: card });
    expect(res.status).toBe(303);
    return stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge'] });
  }

  describe('disputes', () => {
    it('card 4000000000000259 disputes a destination charge: the platform is debited amount + fee, nothing is reversed; winning returns both', async () => {
      const stripe = sdk(sandbox, 'sk_test_disputes_one');
      const account = await onboardedAccount(stripe);
      const before = usd(await stripe.balance.retrieve(), 'available');
      const session = await payThroughCheckout(stripe, account, '4000000000000259');
      const charge = (session.payment_intent as Stripe.PaymentIntent).latest_charge as Stripe.Charge;
      expect(charge.disputed).toBe(true);

      const disputes = await stripe.disputes.list({ charge: charge.id });
      expect(disputes.data).toHaveLength(1);
      const dispute = disputes.data[0];
      expect(dispute).toMatchObject({ amount: 10_000, currency: 'usd', status: 'needs_response', reason: 'fraudulent', payment_intent: (session.payment_intent as Stripe.PaymentIntent).id });
      expect(dispute.balance_transactions).toHaveLength(1);
      expect(dispute.balance_transactions[0]).toMatchObject({ amount: -10_000, fee: 1500, net: -11_500, type: 'adjustment', reporting_category: 'dispute', source: dispute.id });
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before - 11_500);

      // Nothing comes back from the connected account automatically.
      const transfer = await stripe.transfers.retrieve(charge.transfer as string);
      expect(transfer.amount_reversed).toBe(0);
      expect(transfer.reversals.data).toEqual([]);
      const connected = await stripe.balance.retrieve({}, { stripeAccount: account });
      expect(usd(connected, 'pending')).toBe(9000);
      expect(usd(connected, 'available')).toBe(0);

      const created = await stripe.events.list({ type: 'charge.dispute.created' });
      expect(created.data.map((e) => (e.data.object as Stripe.Dispute).id)).toEqual([dispute.id]);
      expect(created.data[0].account).toBeUndefined();

      const won = await control(sandbox.url, 'POST', `/_sandbox/disputes/${dispute.id}/close`, { outcome: 'won' });
      expect(won.status).toBe('won');
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before);
      const closed = await stripe.events.list({ type: 'charge.dispute.closed' });
      expect(closed.data).toHaveLength(1);
      expect((closed.data[0].data.object as Stripe.Dispute).status).toBe('won');
      expect(closed.data[0].data.previous_attributes).toEqual({ status: 'needs_response' });
      const after = await stripe.disputes.retrieve(dispute.id);
      expect(after.balance_transactions.map((t) => t.net)).toEqual([-11_500, 11_500]);
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${dispute.id}/close`, { outcome: 'lost' })).status).toBe(400);
    });

    it('the control API disputes a charge (part of it); a lost dispute keeps the debit', async () => {
      const stripe = sdk(sandbox, 'sk_test_disputes_two');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account);
      const before = usd(await stripe.balance.retrieve(), 'available');
      const opened = await control(sandbox.url, 'POST', `/_sandbox/charges/${charge.id}/dispute`, { amount: 3000, reason: 'product_not_received' });
      expect(opened).toMatchObject({ object: 'dispute', amount: 3000, reason: 'product_not_received', charge: charge.id });
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before - 4500);
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/charges/${charge.id}/dispute`, {})).status).toBe(400);
      expect((await controlCall(sandbox.url, 'POST', '/_sandbox/charges/ch_missing/dispute', {})).status).toBe(404);

      const lost = await control(sandbox.url, 'POST', `/_sandbox/disputes/${String(opened.id)}/close`, { outcome: 'lost' });
      expect(lost.status).toBe('lost');
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before - 4500);
      const closed = await stripe.events.list({ type: 'charge.dispute.closed' });
      expect((closed.data[0].data.object as Stripe.Dispute).status).toBe('lost');
      expect((await stripe.transfers.retrieve(charge.transfer as string)).amount_reversed).toBe(0);
    });

    it('takes evidence through the API, and closing through the API accepts (loses) the dispute', async () => {
      const stripe = sdk(sandbox, 'sk_test_disputes_three');
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_createDispute', confirm: true });
      const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
      const submitted = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'delivered' }, submit: true });
      expect(submitted.status).toBe('under_review');
      expect(submitted.evidence.uncategorized_text).toBe('delivered');
      expect((await stripe.disputes.close(dispute.id)).status).toBe('lost');
    });

    it('an inquiry withdraws nothing; evidence puts it under review; escalated it becomes a chargeback with funds withdrawn, then won', async () => {
      const stripe = sdk(sandbox, 'sk_test_inquiry_one');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account);
      const before = await stripe.balance.retrieve();
      const txnsBefore = (await stripe.balanceTransactions.list({ limit: 100 })).data.length;

      const opened = await control(sandbox.url, 'POST', `/_sandbox/charges/${charge.id}/inquiry`, { reason: 'general' });
      expect(opened).toMatchObject({ object: 'dispute', status: 'warning_needs_response', amount: 10_000, balance_transactions: [], is_charge_refundable: true, reason: 'general' });
      const dp = String(opened.id);
      expect(await stripe.balance.retrieve()).toEqual(before);
      expect((await stripe.balanceTransactions.list({ limit: 100 })).data).toHaveLength(txnsBefore);
      expect((await stripe.events.list({ type: 'charge.dispute.created' })).data.map((e) => (e.data.object as Stripe.Dispute).status)).toEqual(['warning_needs_response']);
      expect((await stripe.events.list({ type: 'charge.dispute.funds_withdrawn' })).data).toEqual([]);
      expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
      // an inquiry is not won or lost: it is escalated or closed as warning_closed
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${dp}/close`, { outcome: 'won' })).status).toBe(400);

      const reviewed = await stripe.disputes.update(dp, { evidence: { uncategorized_text: 'the customer knows us' }, submit: true });
      expect(reviewed.status).toBe('warning_under_review');

      const escalated = await control(sandbox.url, 'POST', `/_sandbox/disputes/${dp}/escalate`);
      expect(escalated).toMatchObject({ id: dp, status: 'needs_response', is_charge_refundable: false });
      const [withdrawal] = escalated.balance_transactions as Stripe.BalanceTransaction[];
      expect(withdrawal).toMatchObject({ amount: -10_000, fee: 1500, net: -11_500, type: 'adjustment', reporting_category: 'dispute', source: dp });
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(usd(before, 'available') - 11_500);
      const [withdrawn] = (await stripe.events.list({ type: 'charge.dispute.funds_withdrawn' })).data;
      expect(withdrawn!.data.object).toMatchObject({ id: dp, status: 'needs_response' });
      const [updated] = (await stripe.events.list({ type: 'charge.dispute.updated' })).data;
      expect(updated!.data.object).toMatchObject({ id: dp, status: 'needs_response' });
      expect(updated!.data.previous_attributes).toMatchObject({ status: 'warning_under_review' });
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${dp}/escalate`)).status).toBe(400);
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${dp}/close`, { outcome: 'warning_closed' })).status).toBe(400);

      expect((await control(sandbox.url, 'POST', `/_sandbox/disputes/${dp}/close`, { outcome: 'won' })).status).toBe('won');
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(usd(before, 'available'));
      expect((await stripe.disputes.retrieve(dp)).balance_transactions.map((t) => t.net)).toEqual([-11_500, 11_500]);
    });

    it('an inquiry closes as warning_closed (control API, or accepting it through the API) and nothing moves', async () => {
      const stripe = sdk(sandbox, 'sk_test_inquiry_two');
      const account = await onboardedAccount(stripe);
      const [a, b] = [await destinationCharge(stripe, account), await destinationCharge(stripe, account)];
      const before = await stripe.balance.retrieve();
      const first = await control(sandbox.url, 'POST', `/_sandbox/charges/${a.id}/inquiry`, { amount: 2500 });
      expect(first).toMatchObject({ amount: 2500, status: 'warning_needs_response' });
      const closed = await control(sandbox.url, 'POST', `/_sandbox/disputes/${String(first.id)}/close`, { outcome: 'warning_closed' });
      expect(closed).toMatchObject({ status: 'warning_closed', balance_transactions: [] });
      const [event] = (await stripe.events.list({ type: 'charge.dispute.closed' })).data;
      expect(event!.data.object).toMatchObject({ id: first.id, status: 'warning_closed' });
      expect(event!.data.previous_attributes).toEqual({ status: 'warning_needs_response' });
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${String(first.id)}/escalate`)).status).toBe(400);
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/disputes/${String(first.id)}/close`, { outcome: 'nope' })).status).toBe(400);

      const second = await control(sandbox.url, 'POST', `/_sandbox/charges/${b.id}/inquiry`, {});
      expect((await stripe.disputes.close(String(second.id))).status).toBe('warning_closed');
      expect(await stripe.balance.retrieve()).toEqual(before);
      expect((await stripe.events.list({ type: 'charge.dispute.funds_withdrawn' })).data).toEqual([]);
      // an inquiry's charge can still be refunded
      expect((await stripe.refunds.create({ charge: b.id, amount: 1000 })).status).toBe('succeeded');
    });
  });

  describe('pending refunds', () => {
    it('the control API holds the next refund pending (the money has left the balance), then succeeds it with refund.updated', async () => {
      const stripe = sdk(sandbox, 'sk_test_refund_pending');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 5000, fee: 500 });
      const before = usd(await stripe.balance.retrieve(), 'available');
      expect(await control(sandbox.url, 'POST', '/_sandbox/refunds/hold', { count: 1 })).toEqual({ held: 1 });
      const refund = await stripe.refunds.create({ charge: charge.id, amount: 2000, reverse_transfer: true, refund_application_fee: true });
      expect(refund.status).toBe('pending');
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before - 2000 + 2000 - 200);
      // only the next one was held
      expect((await stripe.refunds.create({ charge: charge.id, amount: 100 })).status).toBe('succeeded');
      const succeeded = await control(sandbox.url, 'POST', `/_sandbox/refunds/${refund.id}/succeed`, {});
      expect(succeeded).toMatchObject({ id: refund.id, status: 'succeeded' });
      const [event] = (await stripe.events.list({ type: 'refund.updated' })).data;
      expect(event!.data).toMatchObject({ object: { id: refund.id, status: 'succeeded' }, previous_attributes: { status: 'pending' } });
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/refunds/${refund.id}/succeed`, {})).status).toBe(400);
    });
  });

  describe('refund failures', () => {
    it('the control API fails a succeeded refund: refund_failure credits the platform, amount_refunded goes down, the reversal and fee refund stay', async () => {
      const stripe = sdk(sandbox, 'sk_test_refund_failure');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
      const refund = await stripe.refunds.create({ charge: charge.id, amount: 4000, reverse_transfer: true, refund_application_fee: true });
      expect(refund.status).toBe('succeeded');
      const before = usd(await stripe.balance.retrieve(), 'available');

      const failed = await control(sandbox.url, 'POST', `/_sandbox/refunds/${refund.id}/fail`, {});
      expect(failed).toMatchObject({ id: refund.id, status: 'failed', failure_reason: 'expired_or_canceled_card', failure_balance_transaction: expect.stringMatching(/^txn_/) });
      const txn = await stripe.balanceTransactions.retrieve(failed.failure_balance_transaction as string);
      expect(txn).toMatchObject({ amount: 4000, net: 4000, type: 'refund_failure', source: refund.id });
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(before + 4000);
      expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 0, refunded: false });
      expect((await stripe.refunds.retrieve(refund.id)).status).toBe('failed');
      // Stripe does not undo the transfer reversal or the application-fee refund
      expect((await stripe.transfers.retrieve(charge.transfer as string)).amount_reversed).toBe(4000);
      expect((await stripe.applicationFees.list({ charge: charge.id })).data[0]!.amount_refunded).toBe(400);

      for (const type of ['charge.refund.updated', 'refund.updated'] as const) {
        const [event] = (await stripe.events.list({ type })).data;
        expect(event!.data.object).toMatchObject({ id: refund.id, status: 'failed' });
        expect(event!.data.previous_attributes).toEqual({ status: 'succeeded' });
      }
      expect((await stripe.events.list({ type: 'refund.failed' })).data.map((e) => (e.data.object as Stripe.Refund).id)).toEqual([refund.id]);

      // a failed refund fails once; the charge may be refunded in full again
      expect((await controlCall(sandbox.url, 'POST', `/_sandbox/refunds/${refund.id}/fail`, {})).status).toBe(400);
      expect((await controlCall(sandbox.url, 'POST', '/_sandbox/refunds/re_missing/fail', {})).status).toBe(404);
      expect((await stripe.refunds.create({ charge: charge.id })).amount).toBe(10_000);
    });
  });

  describe('manual capture', () => {
    it('authorizes without moving money, then a partial capture creates the charge, transfer and fee for the captured amount', async () => {
      const stripe = sdk(sandbox, 'sk_test_capture_one');
      const account = await onboardedAccount(stripe);
      const pi = await stripe.paymentIntents.create({
        amount: 10_000,
        currency: 'usd',
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
        application_fee_amount: 1000,
        transfer_data: { destination: account },
      });
      expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 10_000, amount_received: 0, capture_method: 'manual' });
      const authorized = await stripe.charges.retrieve(pi.latest_charge as string);
      expect(authorized).toMatchObject({ captured: false, amount_captured: 0, balance_transaction: null, status: 'succeeded' });
      expect(authorized.transfer ?? null).toBeNull();
      expect((await stripe.balanceTransactions.list()).data).toEqual([]);
      expect((await stripe.transfers.list({ destination: account })).data).toEqual([]);

      const tooMuch = await stripeError(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 10_001 }));
      expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount_to_capture' });

      const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 8000, application_fee_amount: 800 });
      expect(captured).toMatchObject({ status: 'succeeded', amount_received: 8000, amount_capturable: 0 });
      const charge = await stripe.charges.retrieve(pi.latest_charge as string, { expand: ['balance_transaction'] });
      expect(charge).toMatchObject({ captured: true, amount_captured: 8000, amount_refunded: 2000 });
      expect((charge.balance_transaction as Stripe.BalanceTransaction).fee).toBe(262); // 2.9% of 8000 + 30
      const transfer = await stripe.transfers.retrieve(charge.transfer as string);
      expect(transfer.amount).toBe(8000);
      expect((await stripe.applicationFees.list({ charge: charge.id })).data.map((f) => f.amount)).toEqual([800]);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'pending')).toBe(7200);
      expect((await stripe.events.list({ type: 'charge.captured' })).data).toHaveLength(1);
      await expect(stripe.paymentIntents.capture(pi.id)).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    });

    it('cancels an authorization: nothing is captured or transferred', async () => {
      const stripe = sdk(sandbox, 'sk_test_capture_two');
      const account = await onboardedAccount(stripe);
      const pi = await stripe.paymentIntents.create({
        amount: 5000,
        currency: 'usd',
        capture_method: 'manual',
        payment_method: 'pm_card_visa',
        confirm: true,
        transfer_data: { destination: account },
      });
      const canceled = await stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
      expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned', amount_capturable: 0, amount_received: 0 });
      expect(canceled.canceled_at).toBe(sandbox.control.now());
      await expect(stripe.paymentIntents.capture(pi.id)).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
      await expect(stripe.paymentIntents.cancel(pi.id)).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
      expect((await stripe.charges.retrieve(pi.latest_charge as string)).captured).toBe(false);
      expect((await stripe.balanceTransactions.list()).data).toEqual([]);
      expect((await stripe.transfers.list()).data).toEqual([]);
      expect((await stripe.events.list({ type: 'payment_intent.canceled' })).data).toHaveLength(1);
    });

    it('a Checkout Session with capture_method=manual completes unpaid and is captured later', async () => {
      const stripe = sdk(sandbox, 'sk_test_capture_three');
      const account = await onboardedAccount(stripe);
      const session = await payThroughCheckout(stripe, account, '4242424242424242', { capture_method: 'manual' });
      expect(session.status).toBe('complete');
      expect(session.payment_status).toBe('unpaid');
      const pi = session.payment_intent as Stripe.PaymentIntent;
      expect(pi.status).toBe('requires_capture');
      const captured = await stripe.paymentIntents.capture(pi.id);
      expect(captured.amount_received).toBe(10_000);
      expect((await stripe.transfers.list({ destination: account })).data.map((t) => t.amount)).toEqual([10_000]);
    });
  });

  describe('application-fee refunds and transfer reversals with refunds', () => {
    async function amounts(stripe: Stripe, charge: Stripe.Charge, account: string) {
      const [fee] = (await stripe.applicationFees.list({ charge: charge.id })).data;
      const transfer = await stripe.transfers.retrieve(charge.transfer as string);
      const connected = await stripe.balance.retrieve({}, { stripeAccount: account });
      return {
        feeRefunded: fee!.amount_refunded,
        reversed: transfer.amount_reversed,
        connected: usd(connected, 'available') + usd(connected, 'pending'),
        feeRefunds: fee!.refunds.data.map((r) => r.amount),
      };
    }

    it('partial, partial, rest: each refund refunds the fee and reverses the transfer in proportion to itself; the last one takes what is left', async () => {
      const stripe = sdk(sandbox, 'sk_test_fee_refunds_one');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
      const both = { reverse_transfer: true, refund_application_fee: true };

      const r1 = await stripe.refunds.create({ charge: charge.id, amount: 3333, ...both });
      expect(r1.transfer_reversal).toMatch(/^trr_/);
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 333, reversed: 3333, connected: 9000 - 3333 + 333 });
      await stripe.refunds.create({ charge: charge.id, amount: 3333, ...both });
      // 333 again: proportional to this refund (3 333 / 10 000 of 1 000), not 667 - 333 as a cumulative formula would give
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 666, reversed: 6666, connected: 9000 - 6666 + 666 });
      await stripe.refunds.create({ charge: charge.id, ...both });
      const end = await amounts(stripe, charge, account);
      expect(end).toEqual({ feeRefunded: 1000, reversed: 10_000, connected: 0, feeRefunds: [334, 333, 333] });
      expect((await stripe.charges.retrieve(charge.id)).refunded).toBe(true);
      expect((await stripe.transfers.retrieve(charge.transfer as string)).reversed).toBe(true);
      expect((await stripe.applicationFees.list({ charge: charge.id })).data[0]!.refunded).toBe(true);
      // the platform keeps nothing but Stripe's processing fee is lost to it
      const platform = await stripe.balance.retrieve();
      expect(usd(platform, 'available') + usd(platform, 'pending')).toBe(-320);
    });

    it('a transfer smaller than the charge is reversed in proportion to the refund', async () => {
      const stripe = sdk(sandbox, 'sk_test_fee_refunds_two');
      const account = await onboardedAccount(stripe);
      const pi = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_data: { destination: account, amount: 8000 } });
      const charge = await stripe.charges.retrieve(pi.latest_charge as string);
      const refund = await stripe.refunds.create({ charge: charge.id, amount: 2500, reverse_transfer: true });
      const reversal = await stripe.transfers.retrieveReversal(charge.transfer as string, refund.transfer_reversal as string);
      expect(reversal).toMatchObject({ amount: 2000, source_refund: refund.id });
      await stripe.refunds.create({ charge: charge.id, reverse_transfer: true });
      expect((await stripe.transfers.retrieve(charge.transfer as string)).amount_reversed).toBe(8000);
    });

    it('refund, the refund fails (reversal and fee refund stay), then the whole charge: only what is still unrefunded of the fee and unreversed of the transfer', async () => {
      const stripe = sdk(sandbox, 'sk_test_fee_refunds_three');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
      const both = { reverse_transfer: true, refund_application_fee: true };
      const first = await stripe.refunds.create({ charge: charge.id, amount: 4000, ...both });
      await control(sandbox.url, 'POST', `/_sandbox/refunds/${first.id}/fail`, {});
      expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 0, refunded: false });
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 400, reversed: 4000, connected: 9000 - 4000 + 400 });

      const full = await stripe.refunds.create({ charge: charge.id, ...both });
      expect(full.amount).toBe(10_000);
      const reversal = await stripe.transfers.retrieveReversal(charge.transfer as string, full.transfer_reversal as string);
      expect(reversal.amount).toBe(6000);
      expect(await amounts(stripe, charge, account)).toEqual({ feeRefunded: 1000, reversed: 10_000, connected: 0, feeRefunds: [600, 400] });
      // the platform: the failed refund's 4 000 came back, the customer got 10 000, the seller returned 10 000 less the fee
      const platform = await stripe.balance.retrieve();
      expect(usd(platform, 'available') + usd(platform, 'pending')).toBe(-320);
    });

    it('refund, fail, then partial refunds: in proportion to each refund, within what is left', async () => {
      const stripe = sdk(sandbox, 'sk_test_fee_refunds_four');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
      const both = { reverse_transfer: true, refund_application_fee: true };
      const first = await stripe.refunds.create({ charge: charge.id, amount: 4000, ...both });
      await control(sandbox.url, 'POST', `/_sandbox/refunds/${first.id}/fail`, {});
      await stripe.refunds.create({ charge: charge.id, amount: 5000, ...both });
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 900, reversed: 9000, connected: 9000 - 9000 + 900 });
      await stripe.refunds.create({ charge: charge.id, amount: 3000, ...both });
      // 300 and 3 000 by proportion, but only 100 and 1 000 remain
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 1000, reversed: 10_000, connected: 0 });
      const last = await stripe.refunds.create({ charge: charge.id, ...both });
      expect(last.amount).toBe(2000);
      expect(last.transfer_reversal).toBeNull();
      expect(await amounts(stripe, charge, account)).toMatchObject({ feeRefunded: 1000, reversed: 10_000, connected: 0, feeRefunds: [100, 500, 400] });
    });
  });

  describe('transfers', () => {
    it('with source_transaction: succeed without available balance, may not exceed the charge, and stay pending until the charge is available', async () => {
      const stripe = sdk(sandbox, 'sk_test_transfers_one');
      const [a, b] = [await onboardedAccount(stripe), await onboardedAccount(stripe)];
      const pi = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true, transfer_group: 'order-9' });
      const chargeId = pi.latest_charge as string;
      const chargeTxn = (await stripe.charges.retrieve(chargeId, { expand: ['balance_transaction'] })).balance_transaction as Stripe.BalanceTransaction;
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(0);

      const noSource = await stripeError(stripe.transfers.create({ amount: 1000, currency: 'usd', destination: a }));
      expect(noSource).toMatchObject({ statusCode: 400, code: 'balance_insufficient' });

      const toA = await stripe.transfers.create({ amount: 6000, currency: 'usd', destination: a, source_transaction: chargeId, transfer_group: 'order-9' });
      const toB = await stripe.transfers.create({ amount: 4000, currency: 'usd', destination: b, source_transaction: chargeId, transfer_group: 'order-9' });
      expect(toA.source_transaction).toBe(chargeId);
      const over = await stripeError(stripe.transfers.create({ amount: 1, currency: 'usd', destination: a, source_transaction: chargeId }));
      expect(over).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'amount' });
      const wrongCurrency = await stripeError(stripe.transfers.create({ amount: 1, currency: 'eur', destination: a, source_transaction: chargeId }));
      expect(wrongCurrency).toMatchObject({ statusCode: 400, param: 'currency' });
      expect((await stripe.transfers.list({ transfer_group: 'order-9' })).data.map((t) => t.id)).toEqual([toB.id, toA.id]);

      const payment = await stripe.charges.retrieve(toA.destination_payment as string, { expand: ['balance_transaction'] }, { stripeAccount: a });
      expect((payment.balance_transaction as Stripe.BalanceTransaction).available_on).toBe(chargeTxn.available_on);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: a }), 'pending')).toBe(6000);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: a }), 'available')).toBe(0);
      await advance(sandbox, chargeTxn.available_on - sandbox.control.now() - 1);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: a }), 'available')).toBe(0);
      await advance(sandbox, 1);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: a }), 'available')).toBe(6000);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: b }), 'available')).toBe(4000);
      // The platform keeps the charge net of Stripe's fee and both transfers.
      expect(usd(await stripe.balance.retrieve(), 'available')).toBe(10_000 - 320 - 10_000);
    });

    it('reverses part of a transfer, with the application fee refunded in proportion, and emits transfer.reversed', async () => {
      const stripe = sdk(sandbox, 'sk_test_transfers_two');
      const account = await onboardedAccount(stripe);
      const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
      const transferId = charge.transfer as string;

      const reversal = await stripe.transfers.createReversal(transferId, { amount: 5000, refund_application_fee: true, metadata: { why: 'partial return' } });
      expect(reversal).toMatchObject({ object: 'transfer_reversal', amount: 5000, transfer: transferId, source_refund: null, metadata: { why: 'partial return' } });
      const transfer = await stripe.transfers.retrieve(transferId);
      expect(transfer).toMatchObject({ amount_reversed: 5000, reversed: false });
      const [fee] = (await stripe.applicationFees.list({ charge: charge.id })).data;
      expect(fee.amount_refunded).toBe(500);
      const connected = await stripe.balance.retrieve({}, { stripeAccount: account });
      expect(usd(connected, 'available') + usd(connected, 'pending')).toBe(10_000 - 1000 - 5000 + 500);
      const py = await stripe.charges.retrieve(transfer.destination_payment as string, {}, { stripeAccount: account });
      expect(py.amount_refunded).toBe(5000);

      const reversed = await stripe.events.list({ type: 'transfer.reversed' });
      expect(reversed.data).toHaveLength(1);
      expect(reversed.data[0].account).toBeUndefined();
      expect(reversed.data[0].data.previous_attributes).toEqual({ amount_reversed: 0, reversed: false });

      const tooMuch = await stripeError(stripe.transfers.createReversal(transferId, { amount: 5001 }));
      expect(tooMuch).toMatchObject({ statusCode: 400, param: 'amount' });
      // Without an amount, the rest is reversed; without refund_application_fee the fee stays.
      const rest = await stripe.transfers.createReversal(transferId);
      expect(rest.amount).toBe(5000);
      expect((await stripe.transfers.retrieve(transferId)).reversed).toBe(true);
      expect((await stripe.applicationFees.retrieve(fee.id)).amount_refunded).toBe(500);
      expect((await stripe.transfers.listReversals(transferId)).data.map((r) => r.amount)).toEqual([5000, 5000]);
      await expect(stripe.transfers.createReversal(transferId)).rejects.toMatchObject({ statusCode: 400 });
    });

    it("a POST /v1/transfers transfer is reversed only within the destination's available balance (balance_insufficient otherwise); a destination charge's transfer may drive it negative", async () => {
      const stripe = sdk(sandbox, 'sk_test_transfers_three');
      const account = await onboardedAccount(stripe);
      // with source_transaction: the destination's funds are pending until the charge's are available
      const pi = await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const sourced = await stripe.transfers.create({ amount: 6000, currency: 'usd', destination: account, source_transaction: pi.latest_charge as string });
      const pending = await stripeError(stripe.transfers.createReversal(sourced.id, { amount: 1000 }));
      expect(pending).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', code: 'balance_insufficient' });
      expect((pending.raw as { type: string }).type).toBe('invalid_request_error');
      expect((await stripe.transfers.retrieve(sourced.id)).amount_reversed).toBe(0);
      await advance(sandbox, 2 * 86_400);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'available')).toBe(6000);

      // without source_transaction, from the platform's available balance
      await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
      const plain = await stripe.transfers.create({ amount: 5000, currency: 'usd', destination: account });
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'available')).toBe(11_000);
      await stripe.payouts.create({ amount: 10_000, currency: 'usd' }, { stripeAccount: account });
      const short = await stripeError(stripe.transfers.createReversal(plain.id, { amount: 1001 }));
      expect(short).toMatchObject({ statusCode: 400, code: 'balance_insufficient', param: 'amount' });
      expect((await stripe.transfers.createReversal(plain.id, { amount: 1000 })).amount).toBe(1000);
      expect(usd(await stripe.balance.retrieve({}, { stripeAccount: account }), 'available')).toBe(0);
      expect((await stripeError(stripe.transfers.createReversal(sourced.id, { amount: 1 }))).code).toBe('balance_insufficient');

      // a destination charge's transfer: reversible up to the charge even with nothing available (dispute recovery)
      const charge = await destinationCharge(stripe, account, { amount: 4000, fee: 400 });
      await control(sandbox.url, 'POST', `/_sandbox/charges/${charge.id}/dispute`, {});
      const recovery = await stripe.transfers.createReversal(charge.transfer as string, { refund_application_fee: true });
      expect(recovery.amount).toBe(4000);
      const connected = await stripe.balance.retrieve({}, { stripeAccount: account });
      expect(usd(connected, 'available')).toBe(-4000 + 400);
      expect(usd(connected, 'pending')).toBe(3600);
    });
  });
});
