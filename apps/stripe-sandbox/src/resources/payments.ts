import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import { processingFee, refundShare } from '../core/money.js';
import type { Row } from '../core/store.js';
import { StripeApiError, invalidRequest, resourceMissing } from '../http/errors.js';
import { listOf as listSpec, mergeMetadata, obj, oneOf, req, validate, type Params, type Schema } from '../http/params.js';
import type { Router } from '../http/router.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { ChargeInternals, None, PaymentIntentData, PiInternals } from '../engine/state.js';
import { chargeableAmount, granularAmount, listOf, owned, positiveAmount } from './common.js';
import { DECLINE_MESSAGES, TEST_PAYMENT_METHODS, newCharge, type CardBehaviour } from './charge-builder.js';
import { createApplicationFee, createTransfer, feeForCharge, refundApplicationFee, refundObject, reverseTransfer } from './transfers.js';
import { createDispute } from './disputes.js';

const PI_DATA: Schema = {
  application_fee_amount: 'integer',
  transfer_data: obj({ destination: req('string'), amount: 'integer' }),
  on_behalf_of: 'string',
  transfer_group: 'string',
  metadata: 'metadata',
  description: 'string',
  capture_method: oneOf('automatic', 'automatic_async', 'manual'),
  receipt_email: 'string',
  statement_descriptor: 'string',
  statement_descriptor_suffix: 'string',
};

export function readPiData(sb: Sandbox, platform: string, p: Params | undefined, prefix: string): PaymentIntentData {
  const td = p?.obj('transfer_data');
  const destination = td?.str('destination') ?? null;
  if (destination) {
    const dest = sb.state.accounts.get(destination);
    if (!dest || dest.x.platform !== platform) throw resourceMissing('destination', destination, `${prefix}transfer_data[destination]`);
  }
  const fee = p?.int('application_fee_amount') ?? null;
  if (fee !== null && !destination && !sb.ctx?.connected)
    throw invalidRequest(
      'Can only apply an application_fee_amount when the PaymentIntent is attempting a direct payment (using an OAuth key or Stripe-Account header) or destination payment (using `transfer_data[destination]`).',
      `${prefix}application_fee_amount`,
    );
  return {
    applicationFeeAmount: fee,
    destination,
    transferAmount: td?.int('amount') ?? null,
    onBehalfOf: p?.str('on_behalf_of') ?? null,
    transferGroup: p?.str('transfer_group') ?? null,
    metadata: p?.meta('metadata') ?? {},
    description: p?.str('description') ?? null,
    captureMethod: (p?.str('capture_method') as PaymentIntentData['captureMethod'] | undefined) ?? 'automatic_async',
  };
}

export function newPaymentIntent(sb: Sandbox, amount: number, currency: string, d: PaymentIntentData, paymentMethod: string | null): Stripe.PaymentIntent {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: d.applicationFeeAmount,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: d.captureMethod,
    client_secret: `${id}_secret_${newId('s', 16).slice(2)}`,
    confirmation_method: 'automatic',
    created: sb.now(),
    currency,
    customer: null,
    customer_account: null,
    description: d.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: d.metadata,
    next_action: null,
    on_behalf_of: d.onBehalfOf,
    payment_method: paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: d.destination ? { amount: d.transferAmount ?? undefined, destination: d.destination } : null,
    transfer_group: d.transferGroup,
  };
}

function behaviourOf(pm: string, param: string): CardBehaviour {
  const b = TEST_PAYMENT_METHODS[pm];
  if (!b) throw resourceMissing('PaymentMethod', pm, param);
  return b;
}

/**
 * Confirm a payment intent with a test card: the charge, then (on success and automatic capture)
 * the funds flow. A decline is a 402 card_error carrying the payment intent, as Stripe answers.
 */
export function confirmPayment(sb: Sandbox, row: Row<Stripe.PaymentIntent, PiInternals>, pm: string, param = 'payment_method'): void {
  const pi = row.obj;
  const card = behaviourOf(pm, param);
  const platform = row.x.platform;
  sb.toSettlement(platform, pi.amount, pi.currency); // no rate to settle in: 400 before anything moves
  pi.payment_method = pm;
  const d = row.x.data;
  const charge = newCharge({
    amount: pi.amount,
    currency: pi.currency,
    created: sb.now(),
    status: card.outcome === 'succeed' ? 'succeeded' : 'failed',
    captured: false,
    paymentIntent: pi.id,
    paymentMethod: pm,
    card,
    metadata: pi.metadata,
    description: pi.description,
    transferGroup: pi.transfer_group,
    onBehalfOf: d.onBehalfOf,
    destination: d.destination,
    transferAmount: d.transferAmount,
    applicationFeeAmount: d.applicationFeeAmount,
    failureCode: card.outcome === 'decline' ? 'card_declined' : null,
    failureMessage: card.outcome === 'decline' ? DECLINE_MESSAGES[card.declineCode ?? 'generic_decline'] : null,
  });
  const availableOn = card.immediate ? sb.now() : sb.now() + sb.config.availableAfter;
  const chRow = sb.state.charges.insert(charge, row.owner, { platform, availableOn, processingFee: 0 });
  pi.latest_charge = charge.id;
  if (card.outcome === 'decline') {
    const declineCode = card.declineCode ?? 'generic_decline';
    const error: Stripe.PaymentIntent.LastPaymentError = {
      charge: charge.id,
      code: 'card_declined',
      decline_code: declineCode,
      doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      message: DECLINE_MESSAGES[declineCode],
      type: 'card_error',
    };
    pi.status = 'requires_payment_method';
    pi.last_payment_error = error;
    pi.payment_method = null;
    sb.emit({ type: 'charge.failed', data: { object: charge } }, { platform });
    sb.emit({ type: 'payment_intent.payment_failed', data: { object: pi } }, { platform });
    throw new StripeApiError(402, {
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
      message: DECLINE_MESSAGES[declineCode],
      charge: charge.id,
      payment_intent: structuredClone(pi),
    });
  }
  pi.last_payment_error = null;
  if (pi.capture_method === 'manual') {
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
    charge.amount_captured = 0;
    sb.emit({ type: 'charge.succeeded', data: { object: charge } }, { platform });
    sb.emit({ type: 'payment_intent.amount_capturable_updated', data: { object: pi } }, { platform });
    return;
  }
  capture(sb, row, chRow, pi.amount, d.applicationFeeAmount, false);
  if (card.dispute) createDispute(sb, chRow, 'fraudulent', charge.amount);
}

/** Capture: the platform's charge and fee, then for destination charges the transfer and application fee. */
export function capture(sb: Sandbox, row: Row<Stripe.PaymentIntent, PiInternals>, chRow: Row<Stripe.Charge, ChargeInternals>, amount: number, appFee: number | null, explicit: boolean): void {
  const pi = row.obj;
  const charge = chRow.obj;
  const platform = row.x.platform;
  const d = row.x.data;
  // The charge settles in the platform's settlement currency (converted at the current rate when
  // the customer paid in another one); Stripe's fee is computed and charged in that currency.
  const settled = sb.toSettlement(platform, amount, charge.currency);
  const fee = processingFee(settled.amount, sb.config.processingFee);
  chRow.x.processingFee = fee;
  charge.captured = true;
  charge.amount_captured = amount;
  if (amount < charge.amount) charge.amount_refunded = charge.amount - amount;
  const txn = sb.addTxn(chRow.owner, {
    amount: settled.amount,
    currency: settled.currency,
    type: 'charge',
    reportingCategory: 'charge',
    source: charge.id,
    availableOn: chRow.x.availableOn,
    fee,
    feeDetails: [{ amount: fee, application: null, currency: settled.currency, description: 'Stripe processing fees', type: 'stripe_fee' }],
    exchangeRate: settled.exchangeRate,
  });
  charge.balance_transaction = txn.id;
  pi.status = 'succeeded';
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  if (explicit) sb.emit({ type: 'charge.captured', data: { object: charge } }, { platform });
  else sb.emit({ type: 'charge.succeeded', data: { object: charge } }, { platform });
  if (d.destination) {
    // transfer_data[amount] and application_fee_amount are in the charge's currency; the transfer
    // and the application fee move settled funds, so they are in the settlement currency.
    const transferAmount = Math.min(d.transferAmount ?? amount, amount);
    const feeAmount = appFee ?? 0;
    const settledTransfer = settled.exchangeRate === null ? transferAmount : sb.toSettlement(platform, transferAmount, charge.currency).amount;
    const settledFee = settled.exchangeRate === null ? feeAmount : sb.toSettlement(platform, feeAmount, charge.currency).amount;
    const transfer = createTransfer(sb, platform, {
      amount: settledTransfer,
      currency: settled.currency,
      destination: d.destination,
      sourceTransaction: charge.id,
      transferGroup: d.transferGroup ?? `group_${pi.id}`,
      metadata: {},
      description: null,
      availableOn: chRow.x.availableOn,
      applicationFee: settledFee,
    });
    charge.transfer = transfer.id;
    charge.transfer_group = transfer.transfer_group;
    pi.transfer_group = transfer.transfer_group;
    if (feeAmount > 0) {
      const py = typeof transfer.destination_payment === 'string' ? transfer.destination_payment : '';
      const appFeeObj = createApplicationFee(sb, platform, {
        amount: settledFee,
        currency: settled.currency,
        account: d.destination,
        charge: py,
        originatingCharge: charge.id,
        availableOn: chRow.x.availableOn,
      });
      charge.application_fee = appFeeObj.id;
      charge.application_fee_amount = feeAmount;
      pi.application_fee_amount = feeAmount;
    }
  }
  sb.emit({ type: 'payment_intent.succeeded', data: { object: pi } }, { platform });
}

/** Refund a platform charge, with the transfer reversal and fee refund it implies. */
export function refundCharge(
  sb: Sandbox,
  chRow: Row<Stripe.Charge, ChargeInternals>,
  p: { amount?: number; reason: Stripe.Refund.Reason | null; reverseTransfer: boolean; refundApplicationFee: boolean; metadata: Record<string, string> },
): Stripe.Refund {
  const charge = chRow.obj;
  const platform = chRow.x.platform;
  if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge');
  if (!charge.captured) throw invalidRequest(`Charge ${charge.id} has not been captured; cancel the PaymentIntent instead.`, 'charge');
  const refundable = charge.amount - charge.amount_refunded;
  if (refundable <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge', 'charge_already_refunded');
  const amount = p.amount ?? refundable;
  positiveAmount(amount);
  granularAmount(amount, charge.currency);
  if (amount > refundable)
    throw invalidRequest(
      `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(refundable, charge.currency)})`,
      'amount',
      'amount_too_large',
    );
  const transferId = typeof charge.transfer === 'string' ? charge.transfer : null;
  if (p.refundApplicationFee && transferId && !p.reverseTransfer)
    throw invalidRequest('For destination charges, `refund_application_fee` can only be used together with `reverse_transfer`.', 'refund_application_fee');
  if (p.reverseTransfer && !transferId) throw invalidRequest('This charge has no transfer to reverse; `reverse_transfer` applies to destination charges only.', 'reverse_transfer');
  // This refund leaves the charge refunded in full: the fee and the transfer are then returned in
  // full too (whatever of them is still not returned), else in proportion to this refund alone.
  const completes = amount === refundable;
  const refundId = newId('re');
  const settled = sb.toSettlement(platform, amount, charge.currency);
  const txn = sb.addTxn(chRow.owner, { amount: -settled.amount, currency: settled.currency, type: 'refund', reportingCategory: 'refund', source: refundId, exchangeRate: settled.exchangeRate });
  let reversalId: string | null = null;
  if (p.reverseTransfer && transferId) {
    const tRow = sb.state.transfers.get(transferId);
    if (tRow) {
      const share = refundShare({ total: tRow.obj.amount, returned: tRow.obj.amount_reversed, refund: amount, of: charge.amount_captured, completes });
      if (share > 0) reversalId = reverseTransfer(sb, tRow, share, { sourceRefund: refundId }).id;
    }
  }
  const paymentIntent = typeof charge.payment_intent === 'string' ? charge.payment_intent : null;
  const refund = refundObject(sb, {
    id: refundId,
    amount,
    currency: charge.currency,
    charge: charge.id,
    paymentIntent,
    reason: p.reason,
    balanceTransaction: txn.id,
    metadata: p.metadata,
    transferReversal: reversalId,
  });
  // some refunds stay pending at Stripe before they succeed (or fail): the money has left the balance already
  if (sb.refundsToHold > 0) {
    sb.refundsToHold--;
    refund.status = 'pending';
  }
  sb.state.refunds.insert(refund, chRow.owner, {});
  if (p.refundApplicationFee) {
    const feeRow = feeForCharge(sb, platform, charge.id);
    if (feeRow) {
      const share = refundShare({ total: feeRow.obj.amount, returned: feeRow.obj.amount_refunded, refund: amount, of: charge.amount_captured, completes });
      if (share > 0) refundApplicationFee(sb, feeRow, share);
    }
  }
  const previous: Partial<Stripe.Charge> = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  charge.refunds?.data.unshift(refund);
  sb.emit({ type: 'refund.created', data: { object: refund } }, { platform });
  sb.emit({ type: 'charge.refunded', data: { object: charge, previous_attributes: previous } }, { platform });
  return refund;
}

/** A pending refund succeeding: `refund.updated` and `charge.refund.updated` with the previous status. */
export function succeedRefund(sb: Sandbox, row: Row<Stripe.Refund, None>): Stripe.Refund {
  const refund = row.obj;
  if (refund.status !== 'pending') throw invalidRequest(`Refund ${refund.id} is ${refund.status}; only a pending refund can succeed.`, 'refund');
  const chRow = typeof refund.charge === 'string' ? sb.state.charges.get(refund.charge) : undefined;
  const previous: Partial<Stripe.Refund> = { status: refund.status };
  refund.status = 'succeeded';
  const platform = chRow?.x.platform ?? row.owner;
  sb.emit({ type: 'charge.refund.updated', data: { object: refund, previous_attributes: previous } }, { platform });
  sb.emit({ type: 'refund.updated', data: { object: refund, previous_attributes: previous } }, { platform });
  return refund;
}

export const REFUND_FAILURE_REASONS = [
  'charge_for_pending_refund_disputed',
  'declined',
  'expired_or_canceled_card',
  'insufficient_funds',
  'lost_or_stolen_card',
  'merchant_request',
  'unknown',
] as const;

/**
 * A refund failing after the fact (e.g. the card was closed), as Stripe does it: the refunded amount
 * comes back to the balance as a `refund_failure` transaction, the charge's amount_refunded goes
 * down, and `charge.refund.updated`, `refund.updated` (with previous_attributes) and `refund.failed`
 * are sent. The transfer reversal and the application-fee refund stay: Stripe does not undo them.
 */
export function failRefund(sb: Sandbox, row: Row<Stripe.Refund, None>, reason: string): Stripe.Refund {
  const refund = row.obj;
  if (refund.status !== 'succeeded' && refund.status !== 'pending') throw invalidRequest(`Refund ${refund.id} is ${refund.status} and cannot fail.`, 'refund');
  const chRow = typeof refund.charge === 'string' ? sb.state.charges.get(refund.charge) : undefined;
  if (!chRow) throw invalidRequest(`Refund ${refund.id} has no charge.`, 'refund');
  const charge = chRow.obj;
  // The refunded funds come back as they left: the refund's own balance transaction, negated.
  const refundTxn = typeof refund.balance_transaction === 'string' ? sb.state.balanceTransactions.get(refund.balance_transaction)?.obj : undefined;
  const txn = sb.addTxn(row.owner, {
    amount: refundTxn ? -refundTxn.amount : refund.amount,
    currency: refundTxn?.currency ?? refund.currency,
    exchangeRate: refundTxn?.exchange_rate ?? null,
    type: 'refund_failure',
    reportingCategory: 'refund_failure',
    source: refund.id,
    description: `REFUND FOR FAILED REFUND (${reason})`,
  });
  const previous: Partial<Stripe.Refund> = { status: refund.status };
  refund.status = 'failed';
  refund.failure_reason = reason;
  refund.failure_balance_transaction = txn.id;
  charge.amount_refunded -= refund.amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  if (charge.refunds) charge.refunds.data = charge.refunds.data.map((r) => (r.id === refund.id ? refund : r));
  const platform = chRow.x.platform;
  sb.emit({ type: 'charge.refund.updated', data: { object: refund, previous_attributes: previous } }, { platform });
  sb.emit({ type: 'refund.updated', data: { object: refund, previous_attributes: previous } }, { platform });
  sb.emit({ type: 'refund.failed', data: { object: refund } }, { platform });
  return refund;
}

function formatMoney(amount: number, currency: string): string {
  const whole = Math.trunc(amount / 100);
  const cents = String(Math.abs(amount % 100)).padStart(2, '0');
  return `${currency === 'usd' ? '$' : `${currency.toUpperCase()} `}${whole}.${cents}`;
}

function piRow(sb: Sandbox, id: string, owner: string): Row<Stripe.PaymentIntent, PiInternals> {
  return owned(sb.state.paymentIntents, id, owner, 'payment_intent');
}

export function registerPayments(router: Router): void {
  router.add('POST', '/v1/payment_intents', (sb, r) => {
    const p = validate(r.form, {
      ...PI_DATA,
      amount: req('integer'),
      currency: req('currency'),
      payment_method: 'string',
      payment_method_types: listSpec('string'),
      automatic_payment_methods: obj({ enabled: req('boolean'), allow_redirects: oneOf('always', 'never') }),
      confirm: 'boolean',
      return_url: 'string',
      customer: 'string',
    });
    const amount = positiveAmount(p.int('amount')!);
    chargeableAmount(sb, r.ctx.platform, amount, p.str('currency')!);
    const data = readPiData(sb, r.ctx.platform, p, '');
    granularAmount(data.applicationFeeAmount, p.str('currency')!, 'application_fee_amount');
    granularAmount(data.transferAmount, p.str('currency')!, 'transfer_data[amount]');
    const pm = p.str('payment_method') ?? null;
    if (pm) behaviourOf(pm, 'payment_method');
    const pi = newPaymentIntent(sb, amount, p.str('currency')!, data, pm);
    const row = sb.state.paymentIntents.insert(pi, r.ctx.account, { platform: r.ctx.platform, data });
    sb.emit({ type: 'payment_intent.created', data: { object: pi } }, { platform: r.ctx.platform, account: r.ctx.connected ? r.ctx.account : null });
    if (p.bool('confirm')) {
      if (!pm) throw invalidRequest('You must provide a `payment_method` to confirm this PaymentIntent.', 'payment_method');
      confirmPayment(sb, row, pm);
    }
    return pi;
  });
  router.add('GET', '/v1/payment_intents', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', customer: 'string' });
    return listOf(sb.state.paymentIntents, r.ctx.account, p, '/v1/payment_intents', undefined, 'payment_intent');
  });
  router.add('GET', '/v1/payment_intents/:id', (sb, r) => {
    validate(r.form, { client_secret: 'string' });
    return piRow(sb, r.pathParams.id, r.ctx.account).obj;
  });
  router.add('POST', '/v1/payment_intents/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata', description: 'string', payment_method: 'string', amount: 'integer', application_fee_amount: 'integer', transfer_group: 'string' });
    const row = piRow(sb, r.pathParams.id, r.ctx.account);
    const pi = row.obj;
    if (pi.status === 'succeeded' || pi.status === 'canceled') {
      if (p.has('amount') || p.has('payment_method') || p.has('application_fee_amount'))
        throw invalidRequest(`This PaymentIntent's status is ${pi.status}; only metadata and description can be updated.`, 'amount', 'payment_intent_unexpected_state');
    }
    pi.metadata = mergeMetadata(pi.metadata, p.meta('metadata'), p.isNull('metadata'));
    if (p.has('description')) pi.description = p.str('description') ?? null;
    if (p.has('amount')) {
      granularAmount(p.int('amount'), pi.currency);
      pi.amount = positiveAmount(p.int('amount')!);
    }
    if (p.has('application_fee_amount')) granularAmount(p.int('application_fee_amount'), pi.currency, 'application_fee_amount');
    if (p.has('application_fee_amount')) row.x.data.applicationFeeAmount = pi.application_fee_amount = p.int('application_fee_amount') ?? null;
    if (p.has('transfer_group')) row.x.data.transferGroup = pi.transfer_group = p.str('transfer_group') ?? null;
    if (p.has('payment_method')) {
      behaviourOf(p.str('payment_method')!, 'payment_method');
      pi.payment_method = p.str('payment_method')!;
      pi.status = 'requires_confirmation';
    }
    return pi;
  });
  router.add('POST', '/v1/payment_intents/:id/confirm', (sb, r) => {
    const p = validate(r.form, { payment_method: 'string', return_url: 'string', capture_method: oneOf('automatic', 'automatic_async', 'manual') });
    const row = piRow(sb, r.pathParams.id, r.ctx.account);
    const pi = row.obj;
    if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation')
      throw invalidRequest(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, undefined, 'payment_intent_unexpected_state');
    if (p.str('capture_method')) pi.capture_method = row.x.data.captureMethod = p.str('capture_method') as PaymentIntentData['captureMethod'];
    const pm = p.str('payment_method') ?? (typeof pi.payment_method === 'string' ? pi.payment_method : null);
    if (!pm) throw invalidRequest("You cannot confirm this PaymentIntent because it's missing a payment method.", 'payment_method', 'payment_intent_unexpected_state');
    confirmPayment(sb, row, pm);
    return pi;
  });
  router.add('POST', '/v1/payment_intents/:id/capture', (sb, r) => {
    const p = validate(r.form, { amount_to_capture: 'integer', application_fee_amount: 'integer', metadata: 'metadata' });
    const row = piRow(sb, r.pathParams.id, r.ctx.account);
    const pi = row.obj;
    if (pi.status !== 'requires_capture')
      throw invalidRequest(
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    const amount = p.int('amount_to_capture') ?? pi.amount_capturable;
    if (amount > pi.amount_capturable) throw invalidRequest(`The amount_to_capture (${amount}) is greater than the amount capturable (${pi.amount_capturable}).`, 'amount_to_capture');
    positiveAmount(amount, 'amount_to_capture');
    granularAmount(amount, pi.currency, 'amount_to_capture');
    granularAmount(p.int('application_fee_amount'), pi.currency, 'application_fee_amount');
    const chId = typeof pi.latest_charge === 'string' ? pi.latest_charge : '';
    const chRow = owned(sb.state.charges, chId, row.owner, 'charge');
    pi.metadata = mergeMetadata(pi.metadata, p.meta('metadata'), false);
    capture(sb, row, chRow, amount, p.int('application_fee_amount') ?? row.x.data.applicationFeeAmount, true);
    return pi;
  });
  router.add('POST', '/v1/payment_intents/:id/cancel', (sb, r) => {
    const p = validate(r.form, { cancellation_reason: oneOf('duplicate', 'fraudulent', 'requested_by_customer', 'abandoned') });
    const row = piRow(sb, r.pathParams.id, r.ctx.account);
    const pi = row.obj;
    if (pi.status === 'succeeded' || pi.status === 'canceled')
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    pi.status = 'canceled';
    pi.canceled_at = sb.now();
    pi.cancellation_reason = (p.str('cancellation_reason') as Stripe.PaymentIntent.CancellationReason | undefined) ?? null;
    if (pi.amount_capturable > 0 && typeof pi.latest_charge === 'string') {
      const ch = sb.state.charges.get(pi.latest_charge);
      if (ch) {
        ch.obj.amount_refunded = ch.obj.amount;
        ch.obj.refunded = true;
      }
      pi.amount_capturable = 0;
    }
    sb.emit({ type: 'payment_intent.canceled', data: { object: pi } }, { platform: row.x.platform });
    return pi;
  });

  router.add('GET', '/v1/charges', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', payment_intent: 'string', transfer_group: 'string', customer: 'string' });
    const pi = p.str('payment_intent');
    const group = p.str('transfer_group');
    return listOf(sb.state.charges, r.ctx.account, p, '/v1/charges', (row) => (!pi || row.obj.payment_intent === pi) && (!group || row.obj.transfer_group === group), 'charge');
  });
  router.add('GET', '/v1/charges/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.charges, r.pathParams.id, r.ctx.account, 'charge').obj;
  });
  router.add('POST', '/v1/charges/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata', description: 'string' });
    const ch = owned(sb.state.charges, r.pathParams.id, r.ctx.account, 'charge').obj;
    ch.metadata = mergeMetadata(ch.metadata, p.meta('metadata'), p.isNull('metadata'));
    if (p.has('description')) ch.description = p.str('description') ?? null;
    return ch;
  });

  const REFUND: Schema = {
    charge: 'string',
    payment_intent: 'string',
    amount: 'integer',
    reason: oneOf('duplicate', 'fraudulent', 'requested_by_customer'),
    reverse_transfer: 'boolean',
    refund_application_fee: 'boolean',
    metadata: 'metadata',
  };
  router.add('POST', '/v1/refunds', (sb, r) => {
    const p = validate(r.form, REFUND);
    let chargeId = p.str('charge');
    const piId = p.str('payment_intent');
    if (!chargeId && !piId) throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', 'charge', 'parameter_missing');
    if (piId) {
      const pi = piRow(sb, piId, r.ctx.account).obj;
      if (chargeId && chargeId !== pi.latest_charge) throw invalidRequest(`Charge ${chargeId} does not belong to PaymentIntent ${piId}.`, 'charge');
      if (pi.status !== 'succeeded' || typeof pi.latest_charge !== 'string') throw invalidRequest(`This PaymentIntent (${piId}) does not have a successful charge to refund.`, 'payment_intent');
      chargeId = pi.latest_charge;
    }
    const chRow = owned(sb.state.charges, chargeId!, r.ctx.account, 'charge', 'charge');
    return refundCharge(sb, chRow, {
      amount: p.int('amount'),
      reason: (p.str('reason') as Stripe.Refund.Reason | undefined) ?? null,
      reverseTransfer: p.bool('reverse_transfer') ?? false,
      refundApplicationFee: p.bool('refund_application_fee') ?? false,
      metadata: p.meta('metadata') ?? {},
    });
  });
  router.add('GET', '/v1/refunds', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', charge: 'string', payment_intent: 'string' });
    const charge = p.str('charge');
    const pi = p.str('payment_intent');
    return listOf(sb.state.refunds, r.ctx.account, p, '/v1/refunds', (row) => (!charge || row.obj.charge === charge) && (!pi || row.obj.payment_intent === pi), 'refund');
  });
  router.add('GET', '/v1/refunds/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.refunds, r.pathParams.id, r.ctx.account, 'refund').obj;
  });
  router.add('POST', '/v1/refunds/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata' });
    const refund = owned(sb.state.refunds, r.pathParams.id, r.ctx.account, 'refund').obj;
    const previous: Partial<Stripe.Refund> = { metadata: refund.metadata };
    refund.metadata = mergeMetadata(refund.metadata ?? {}, p.meta('metadata'), p.isNull('metadata'));
    sb.emit({ type: 'refund.updated', data: { object: refund, previous_attributes: previous } }, { platform: r.ctx.platform });
    return refund;
  });
}
