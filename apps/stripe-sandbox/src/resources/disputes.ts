import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import type { Row } from '../core/store.js';
import { invalidRequest } from '../http/errors.js';
import { mergeMetadata, validate } from '../http/params.js';
import type { Router } from '../http/router.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { ChargeInternals, None } from '../engine/state.js';
import { listOf, owned } from './common.js';

const EVIDENCE_KEYS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

function emptyEvidence(): Stripe.Dispute.Evidence {
  const evidence: Stripe.Dispute.Evidence = {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
  return evidence;
}

const INQUIRY_STATUSES: readonly Stripe.Dispute.Status[] = ['warning_needs_response', 'warning_under_review', 'warning_closed'];
const CLOSED_STATUSES: readonly Stripe.Dispute.Status[] = ['won', 'lost', 'warning_closed', 'prevented'];

export function isInquiry(d: Stripe.Dispute): boolean {
  return INQUIRY_STATUSES.includes(d.status);
}

/** The platform whose settlement currency applies to an owner's balance (a connected account's platform). */
function platformOfOwner(sb: Sandbox, owner: string): string {
  return sb.state.accounts.get(owner)?.x.platform ?? owner;
}

/** The chargeback's debit: the disputed amount and the dispute fee leave the charge's account. */
function withdrawFunds(sb: Sandbox, owner: string, d: Stripe.Dispute, chargeId: string): void {
  const fee = sb.config.disputeFee;
  const settled = sb.toSettlement(platformOfOwner(sb, owner), d.amount, d.currency);
  const txn = sb.addTxn(owner, {
    amount: -settled.amount,
    currency: settled.currency,
    type: 'adjustment',
    reportingCategory: 'dispute',
    source: d.id,
    fee,
    feeDetails: fee ? [{ amount: fee, application: null, currency: settled.currency, description: 'Dispute fee', type: 'stripe_fee' }] : [],
    description: `Chargeback withdrawal for ${chargeId}`,
    exchangeRate: settled.exchangeRate,
  });
  d.balance_transactions.push(txn);
  d.is_charge_refundable = false;
}

/**
 * A dispute on a platform charge. For destination charges the platform is debited (amount plus
 * dispute fee) and nothing is reversed from the connected account automatically, as Stripe does.
 * An inquiry (`inquiry: true`, Stripe's `warning_needs_response`) withdraws nothing: "Unlike a
 * formal dispute, no funds have been withdrawn and the payment it relates to can still be refunded."
 */
export function createDispute(sb: Sandbox, chRow: Row<Stripe.Charge, ChargeInternals>, reason: string, amount: number, opts: { inquiry?: boolean } = {}): Stripe.Dispute {
  const charge = chRow.obj;
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`, 'charge');
  if (!charge.captured || charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} cannot be disputed: it has not succeeded.`, 'charge');
  if (!Number.isInteger(amount) || amount < 1) throw invalidRequest(`The disputed amount must be a positive integer (got ${amount}).`, 'amount');
  const inquiry = opts.inquiry ?? false;
  const dispute: Stripe.Dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created: sb.now(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: { due_by: sb.now() + 7 * 86_400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    intended_submission_method: null,
    is_charge_refundable: true,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason,
    status: inquiry ? 'warning_needs_response' : 'needs_response',
  };
  if (!inquiry) withdrawFunds(sb, chRow.owner, dispute, charge.id);
  sb.state.disputes.insert(dispute, chRow.owner, {});
  charge.disputed = true;
  sb.emit({ type: 'charge.dispute.created', data: { object: dispute } }, { platform: chRow.x.platform });
  if (!inquiry) sb.emit({ type: 'charge.dispute.funds_withdrawn', data: { object: dispute } }, { platform: chRow.x.platform });
  return dispute;
}

function platformOf(sb: Sandbox, row: Row<Stripe.Dispute, None>): { chargeId: string; platform: string } {
  const chargeId = typeof row.obj.charge === 'string' ? row.obj.charge : row.obj.charge.id;
  return { chargeId, platform: sb.state.charges.get(chargeId)?.x.platform ?? row.owner };
}

/**
 * The issuer escalates an open inquiry into a chargeback: the same dispute becomes `needs_response`
 * with a fresh evidence deadline, the amount and the dispute fee are withdrawn
 * (`charge.dispute.funds_withdrawn`) and `charge.dispute.updated` carries the previous status.
 */
export function escalateInquiry(sb: Sandbox, row: Row<Stripe.Dispute, None>): Stripe.Dispute {
  const d = row.obj;
  if (d.status !== 'warning_needs_response' && d.status !== 'warning_under_review')
    throw invalidRequest(`Dispute ${d.id} is ${d.status}; only an open inquiry (warning_needs_response or warning_under_review) can be escalated.`, 'dispute');
  const { chargeId, platform } = platformOf(sb, row);
  const previous: Partial<Stripe.Dispute> = { status: d.status, is_charge_refundable: d.is_charge_refundable };
  d.status = 'needs_response';
  d.evidence_details.due_by = sb.now() + 7 * 86_400;
  withdrawFunds(sb, row.owner, d, chargeId);
  sb.emit({ type: 'charge.dispute.funds_withdrawn', data: { object: d } }, { platform });
  sb.emit({ type: 'charge.dispute.updated', data: { object: d, previous_attributes: previous } }, { platform });
  return d;
}

export type DisputeOutcome = 'won' | 'lost' | 'warning_closed';

/**
 * Won: the amount and the dispute fee come back. Lost: the debit stands. An inquiry closes only as
 * `warning_closed` (nothing was withdrawn, nothing comes back); a chargeback only as won or lost.
 */
export function closeDispute(sb: Sandbox, row: Row<Stripe.Dispute, None>, outcome: DisputeOutcome): Stripe.Dispute {
  const d = row.obj;
  if (CLOSED_STATUSES.includes(d.status)) throw invalidRequest(`Dispute ${d.id} is already closed (${d.status}).`, 'dispute');
  if (isInquiry(d) && outcome !== 'warning_closed')
    throw invalidRequest(`Dispute ${d.id} is an inquiry (${d.status}): it closes as warning_closed, or is escalated into a chargeback first.`, 'dispute');
  if (!isInquiry(d) && outcome === 'warning_closed') throw invalidRequest(`Dispute ${d.id} is a chargeback (${d.status}): it closes as won or lost.`, 'dispute');
  const previous: Partial<Stripe.Dispute> = { status: d.status };
  const { chargeId, platform } = platformOf(sb, row);
  d.status = outcome;
  if (outcome === 'won') {
    const fee = sb.config.disputeFee;
    const settled = sb.toSettlement(platformOfOwner(sb, row.owner), d.amount, d.currency);
    const txn = sb.addTxn(row.owner, {
      amount: settled.amount,
      currency: settled.currency,
      type: 'adjustment',
      reportingCategory: 'dispute_reversal',
      source: d.id,
      fee: -fee,
      feeDetails: fee ? [{ amount: -fee, application: null, currency: settled.currency, description: 'Dispute fee refund', type: 'stripe_fee' }] : [],
      description: `Chargeback reversal for ${chargeId}`,
      exchangeRate: settled.exchangeRate,
    });
    d.balance_transactions.push(txn);
    sb.emit({ type: 'charge.dispute.funds_reinstated', data: { object: d } }, { platform });
  }
  sb.emit({ type: 'charge.dispute.closed', data: { object: d, previous_attributes: previous } }, { platform });
  return d;
}

export function registerDisputes(router: Router): void {
  router.add('GET', '/v1/disputes', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', charge: 'string', payment_intent: 'string' });
    const charge = p.str('charge');
    const pi = p.str('payment_intent');
    return listOf(sb.state.disputes, r.ctx.account, p, '/v1/disputes', (row) => (!charge || row.obj.charge === charge) && (!pi || row.obj.payment_intent === pi), 'dispute');
  });
  router.add('GET', '/v1/disputes/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.disputes, r.pathParams.id, r.ctx.account, 'dispute').obj;
  });
  router.add('POST', '/v1/disputes/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata', submit: 'boolean', evidence: { fields: Object.fromEntries(EVIDENCE_KEYS.map((k) => [k, 'string'])) } });
    const row = owned(sb.state.disputes, r.pathParams.id, r.ctx.account, 'dispute');
    const d = row.obj;
    d.metadata = mergeMetadata(d.metadata, p.meta('metadata'), p.isNull('metadata'));
    const ev = p.obj('evidence');
    if (ev) {
      for (const k of EVIDENCE_KEYS) if (ev.has(k)) Object.assign(d.evidence, { [k]: ev.str(k) ?? null });
      d.evidence_details.has_evidence = true;
    }
    if (p.bool('submit')) {
      if (CLOSED_STATUSES.includes(d.status)) throw invalidRequest(`This dispute is already closed (${d.status}); evidence can no longer be submitted.`, 'submit');
      d.status = isInquiry(d) ? 'warning_under_review' : 'under_review';
      d.evidence_details.submission_count++;
      d.evidence_details.submission_method = 'manual';
    }
    sb.emit({ type: 'charge.dispute.updated', data: { object: d } }, { platform: r.ctx.platform });
    return d;
  });
  // Closing through the API means accepting the dispute: it is lost.
  router.add('POST', '/v1/disputes/:id/close', (sb, r) => {
    validate(r.form, {});
    const row = owned(sb.state.disputes, r.pathParams.id, r.ctx.account, 'dispute');
    return closeDispute(sb, row, isInquiry(row.obj) ? 'warning_closed' : 'lost');
  });
}
