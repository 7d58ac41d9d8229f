import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import type { Row } from '../core/store.js';
import { StripeApiError, invalidRequest } from '../http/errors.js';
import { listOf as listSpec, obj, oneOf, req, validate } from '../http/params.js';
import type { Router } from '../http/router.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { SessionInternals } from '../engine/state.js';
import { chargeableAmount, granularAmount, listOf, owned } from './common.js';
import { confirmPayment, newPaymentIntent, readPiData } from './payments.js';

const LINE_ITEM = obj({
  price_data: obj({ currency: req('currency'), unit_amount: 'integer', product_data: obj({ name: req('string'), description: 'string', metadata: 'metadata' }), product: 'string' }),
  price: 'string',
  quantity: 'integer',
});

export function registerCheckout(router: Router): void {
  router.add('POST', '/v1/checkout/sessions', (sb, r) => {
    const p = validate(r.form, {
      mode: req(oneOf('payment', 'setup', 'subscription')),
      line_items: listSpec(LINE_ITEM),
      payment_intent_data: obj({
        application_fee_amount: 'integer',
        transfer_data: obj({ destination: req('string'), amount: 'integer' }),
        on_behalf_of: 'string',
        transfer_group: 'string',
        metadata: 'metadata',
        description: 'string',
        capture_method: oneOf('automatic', 'automatic_async', 'manual'),
        statement_descriptor: 'string',
      }),
      success_url: 'string',
      cancel_url: 'string',
      client_reference_id: 'string',
      customer_email: 'string',
      metadata: 'metadata',
      expires_at: 'integer',
      payment_method_types: listSpec('string'),
      currency: 'currency',
      ui_mode: oneOf('hosted', 'embedded', 'custom'),
    });
    if (p.str('mode') !== 'payment') throw invalidRequest('The sandbox supports `mode=payment` only.', 'mode');
    const items = p.objs('line_items');
    if (items.length === 0) throw invalidRequest('`line_items` is required in `payment` mode.', 'line_items', 'parameter_missing');
    let total = 0;
    let currency = p.str('currency') ?? null;
    items.forEach((item, i) => {
      const pd = item.obj('price_data');
      if (!pd) throw invalidRequest('You must specify either `price` or `price_data` for each line item (the sandbox supports `price_data`).', `line_items[${i}][price_data]`, 'parameter_missing');
      const unit = pd.int('unit_amount');
      if (unit === undefined) throw invalidRequest(`Missing required param: line_items[${i}][price_data][unit_amount].`, `line_items[${i}][price_data][unit_amount]`, 'parameter_missing');
      const qty = item.int('quantity');
      if (qty === undefined) throw invalidRequest(`Missing required param: line_items[${i}][quantity].`, `line_items[${i}][quantity]`, 'parameter_missing');
      if (currency && pd.str('currency') !== currency) throw invalidRequest('All line items must use the same currency.', `line_items[${i}][price_data][currency]`);
      currency = pd.str('currency')!;
      granularAmount(unit, currency, `line_items[${i}][price_data][unit_amount]`);
      total += unit * qty;
    });
    chargeableAmount(sb, r.ctx.platform, total, currency!, 'line_items');
    const data = readPiData(sb, r.ctx.platform, p.obj('payment_intent_data'), 'payment_intent_data');
    granularAmount(data.applicationFeeAmount, currency!, 'payment_intent_data[application_fee_amount]');
    granularAmount(data.transferAmount, currency!, 'payment_intent_data[transfer_data][amount]');
    const now = sb.now();
    const expiresAt = p.int('expires_at') ?? now + 24 * 3600;
    if (expiresAt < now + 30 * 60 || expiresAt > now + 24 * 3600) throw invalidRequest('`expires_at` must be between 30 minutes and 24 hours from now.', 'expires_at');
    const id = `cs_test_${newId('x', 58).slice(2)}`;
    const session: Stripe.Checkout.Session = {
      id,
      object: 'checkout.session',
      adaptive_pricing: null,
      after_expiration: null,
      allow_promotion_codes: null,
      allowed_payment_method_types: null,
      amount_subtotal: total,
      amount_total: total,
      automatic_tax: { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: null,
      cancel_url: p.str('cancel_url') ?? null,
      client_reference_id: p.str('client_reference_id') ?? null,
      client_secret: null,
      collected_information: null,
      consent: null,
      consent_collection: null,
      created: now,
      currency,
      currency_conversion: null,
      custom_fields: [],
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      customer: null,
      customer_account: null,
      customer_creation: 'if_required',
      customer_details: null,
      customer_email: p.str('customer_email') ?? null,
      discounts: [],
      expires_at: expiresAt,
      integration_identifier: null,
      invoice: null,
      invoice_creation: null,
      livemode: false,
      locale: null,
      managed_payments: null,
      metadata: p.meta('metadata') ?? {},
      mode: 'payment',
      origin_context: null,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'if_required',
      payment_method_configuration_details: null,
      payment_method_options: {},
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      permissions: null,
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_options: [],
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: p.str('success_url') ?? null,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: 'hosted',
      url: `${sb.config.baseUrl}/_sandbox/checkout/${id}`,
      wallet_options: null,
    };
    sb.state.sessions.insert(session, r.ctx.account, { platform: r.ctx.platform, paymentIntentData: data, lineItemsTotal: total });
    return session;
  });
  router.add('GET', '/v1/checkout/sessions', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', payment_intent: 'string', status: oneOf('open', 'complete', 'expired') });
    const pi = p.str('payment_intent');
    const status = p.str('status');
    return listOf(sb.state.sessions, r.ctx.account, p, '/v1/checkout/sessions', (row) => (!pi || row.obj.payment_intent === pi) && (!status || row.obj.status === status), 'checkout.session');
  });
  router.add('GET', '/v1/checkout/sessions/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.sessions, r.pathParams.id, r.ctx.account, 'checkout.session').obj;
  });
  router.add('POST', '/v1/checkout/sessions/:id/expire', (sb, r) => {
    validate(r.form, {});
    const row = owned(sb.state.sessions, r.pathParams.id, r.ctx.account, 'checkout.session');
    if (row.obj.status !== 'open') throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${row.obj.status}".`, 'session');
    expireSession(sb, row);
    return row.obj;
  });
}

export function expireSession(sb: Sandbox, row: Row<Stripe.Checkout.Session, SessionInternals>): void {
  row.obj.status = 'expired';
  row.obj.url = null;
  sb.emit({ type: 'checkout.session.expired', data: { object: row.obj } }, { platform: row.x.platform });
}

/** The hosted page's "Pay": a payment intent confirmed with the typed card. */
export function payCheckoutSession(sb: Sandbox, row: Row<Stripe.Checkout.Session, SessionInternals>, paymentMethod: string): { ok: true } | { ok: false; message: string } {
  const s = row.obj;
  let piRow = typeof s.payment_intent === 'string' ? sb.state.paymentIntents.get(s.payment_intent) : undefined;
  if (!piRow) {
    const pi = newPaymentIntent(sb, s.amount_total ?? 0, s.currency ?? 'usd', row.x.paymentIntentData, null);
    piRow = sb.state.paymentIntents.insert(pi, row.owner, { platform: row.x.platform, data: row.x.paymentIntentData });
    s.payment_intent = pi.id;
  }
  try {
    confirmPayment(sb, piRow, paymentMethod);
  } catch (err) {
    if (err instanceof StripeApiError) return { ok: false, message: err.body.message };
    throw err;
  }
  s.status = 'complete';
  s.payment_status = piRow.obj.status === 'succeeded' ? 'paid' : 'unpaid';
  s.url = null;
  s.customer_details = {
    address: null,
    business_name: null,
    email: s.customer_email ?? 'buyer@example.com',
    individual_name: null,
    name: 'Sandbox Buyer',
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  };
  sb.emit({ type: 'checkout.session.completed', data: { object: s } }, { platform: row.x.platform });
  return { ok: true };
}
