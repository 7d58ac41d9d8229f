import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import { proportional, refundShare } from '../core/money.js';
import type { Row } from '../core/store.js';
import { invalidRequest, resourceMissing } from '../http/errors.js';
import { req, validate, mergeMetadata } from '../http/params.js';
import type { Router } from '../http/router.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { None } from '../engine/state.js';
import { listOf, owned, positiveAmount } from './common.js';
import { newCharge } from './charge-builder.js';

/**
 * Move funds from the platform to a connected account: the tr_ on the platform, its py_ payment on
 * the destination, and both balance transactions (funds available at `availableOn`).
 */
export function createTransfer(
  sb: Sandbox,
  platform: string,
  t: {
    amount: number;
    currency: string;
    destination: string;
    sourceTransaction: string | null;
    transferGroup: string | null;
    metadata: Record<string, string>;
    description: string | null;
    availableOn: number;
    applicationFee?: number;
  },
): Stripe.Transfer {
  const now = sb.now();
  const id = newId('tr');
  const pyId = newId('py');
  const payment = newCharge({
    id: pyId,
    amount: t.amount,
    currency: t.currency,
    created: now,
    status: 'succeeded',
    captured: true,
    paymentIntent: null,
    paymentMethod: null,
    card: null,
    sourceTransfer: id,
  });
  payment.application_fee_amount = t.applicationFee ?? null;
  const fee = t.applicationFee ?? 0;
  const pyTxn = sb.addTxn(t.destination, {
    amount: t.amount,
    currency: t.currency,
    type: 'payment',
    reportingCategory: 'charge',
    source: pyId,
    availableOn: t.availableOn,
    fee,
    feeDetails: fee ? [{ amount: fee, application: null, currency: t.currency, description: 'Application fee', type: 'application_fee' }] : [],
  });
  payment.balance_transaction = pyTxn.id;
  sb.state.charges.insert(payment, t.destination, { platform, availableOn: t.availableOn, processingFee: 0, transfer: id });
  const txn = sb.addTxn(platform, { amount: -t.amount, currency: t.currency, type: 'transfer', reportingCategory: 'transfer', source: id, availableOn: t.availableOn });
  const transfer: Stripe.Transfer = {
    id,
    object: 'transfer',
    amount: t.amount,
    amount_reversed: 0,
    balance_transaction: txn.id,
    created: now,
    currency: t.currency,
    description: t.description,
    destination: t.destination,
    destination_payment: pyId,
    livemode: false,
    metadata: t.metadata,
    reversals: { object: 'list', data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
    reversed: false,
    source_transaction: t.sourceTransaction,
    source_type: 'card',
    transfer_group: t.transferGroup,
  };
  sb.state.transfers.insert(transfer, platform, {});
  sb.emit({ type: 'transfer.created', data: { object: transfer } }, { platform });
  return transfer;
}

/** A reversal moves funds back from the destination: trr_ on the platform, a refund of the py_. */
export function reverseTransfer(sb: Sandbox, row: Row<Stripe.Transfer, None>, amount: number, opts: { sourceRefund: string | null; metadata?: Record<string, string> }): Stripe.TransferReversal {
  const t = row.obj;
  const destination = typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '');
  const id = newId('trr');
  const txn = sb.addTxn(row.owner, { amount, currency: t.currency, type: 'transfer_refund', reportingCategory: 'transfer_reversal', source: id });
  const pyId = typeof t.destination_payment === 'string' ? t.destination_payment : (t.destination_payment?.id ?? null);
  let pyRefundId: string | null = null;
  if (pyId) {
    const py = sb.state.charges.get(pyId);
    pyRefundId = newId('pyr');
    const pyTxn = sb.addTxn(destination, { amount: -amount, currency: t.currency, type: 'payment_refund', reportingCategory: 'refund', source: pyRefundId });
    const refund = refundObject(sb, { id: pyRefundId, amount, currency: t.currency, charge: pyId, paymentIntent: null, reason: null, balanceTransaction: pyTxn.id, metadata: {} });
    sb.state.refunds.insert(refund, destination, {});
    if (py) {
      py.obj.amount_refunded += amount;
      py.obj.refunded = py.obj.amount_refunded >= py.obj.amount;
      py.obj.refunds?.data.unshift(refund);
    }
  }
  const reversal: Stripe.TransferReversal = {
    id,
    object: 'transfer_reversal',
    amount,
    balance_transaction: txn.id,
    created: sb.now(),
    currency: t.currency,
    destination_payment_refund: pyRefundId,
    metadata: opts.metadata ?? {},
    source_refund: opts.sourceRefund,
    transfer: t.id,
  };
  sb.state.reversals.insert(reversal, row.owner, {});
  const previous = { amount_reversed: t.amount_reversed, reversed: t.reversed };
  t.amount_reversed += amount;
  t.reversed = t.amount_reversed >= t.amount;
  t.reversals.data.unshift(reversal);
  t.reversals.data = t.reversals.data.slice(0, 10);
  t.reversals.has_more = sb.state.reversals.owned(row.owner).filter((r) => r.obj.transfer === t.id).length > 10;
  const platform = sb.state.accounts.get(destination)?.x.platform ?? row.owner;
  sb.emit({ type: 'transfer.reversed', data: { object: t, previous_attributes: previous } }, { platform });
  return reversal;
}

export function refundObject(
  sb: Sandbox,
  f: {
    id?: string;
    amount: number;
    currency: string;
    charge: string;
    paymentIntent: string | null;
    reason: Stripe.Refund.Reason | null;
    balanceTransaction: string;
    metadata: Record<string, string>;
    transferReversal?: string | null;
    sourceTransferReversal?: string | null;
  },
): Stripe.Refund {
  return {
    id: f.id ?? newId('re'),
    object: 'refund',
    amount: f.amount,
    balance_transaction: f.balanceTransaction,
    charge: f.charge,
    created: sb.now(),
    currency: f.currency,
    customer: null,
    customer_account: null,
    destination_details: { type: 'card', card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' } },
    metadata: f.metadata,
    payment_intent: f.paymentIntent,
    payment_method: null,
    reason: f.reason,
    receipt_number: null,
    source_transfer_reversal: f.sourceTransferReversal ?? null,
    status: 'succeeded',
    transfer_reversal: f.transferReversal ?? null,
  };
}

/** Refund part of an application fee: back from the platform to the connected account. */
export function refundApplicationFee(sb: Sandbox, row: Row<Stripe.ApplicationFee, None>, amount: number, metadata: Record<string, string> = {}): Stripe.FeeRefund {
  const fee = row.obj;
  const id = newId('fr');
  const txn = sb.addTxn(row.owner, { amount: -amount, currency: fee.currency, type: 'application_fee_refund', reportingCategory: 'platform_earning_refund', source: id });
  const account = typeof fee.account === 'string' ? fee.account : fee.account.id;
  sb.addTxn(account, { amount, currency: fee.currency, type: 'application_fee_refund', reportingCategory: 'fee', source: id });
  const refund: Stripe.FeeRefund = { id, object: 'fee_refund', amount, balance_transaction: txn.id, created: sb.now(), currency: fee.currency, fee: fee.id, metadata };
  sb.state.feeRefunds.insert(refund, row.owner, {});
  const previous = { amount_refunded: fee.amount_refunded, refunded: fee.refunded };
  fee.amount_refunded += amount;
  fee.refunded = fee.amount_refunded >= fee.amount;
  fee.refunds.data.unshift(refund);
  sb.emit({ type: 'application_fee.refunded', data: { object: fee, previous_attributes: previous } }, { platform: row.owner });
  return refund;
}

export function createApplicationFee(
  sb: Sandbox,
  platform: string,
  f: { amount: number; currency: string; account: string; charge: string; originatingCharge: string; availableOn: number },
): Stripe.ApplicationFee {
  const id = newId('fee');
  const txn = sb.addTxn(platform, { amount: f.amount, currency: f.currency, type: 'application_fee', reportingCategory: 'platform_earning', source: id, availableOn: f.availableOn });
  const fee: Stripe.ApplicationFee = {
    id,
    object: 'application_fee',
    account: f.account,
    amount: f.amount,
    amount_refunded: 0,
    application: `ca_${platform.slice(5)}`,
    balance_transaction: txn.id,
    charge: f.charge,
    created: sb.now(),
    currency: f.currency,
    fee_source: { type: 'charge', charge: f.charge },
    livemode: false,
    originating_transaction: f.originatingCharge,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/application_fees/${id}/refunds` },
  };
  sb.state.applicationFees.insert(fee, platform, {});
  sb.emit({ type: 'application_fee.created', data: { object: fee } }, { platform });
  return fee;
}

/** The transfer a destination charge's capture created (the charge's `transfer`), as opposed to a `POST /v1/transfers` one. */
export function isDestinationChargeTransfer(sb: Sandbox, row: Row<Stripe.Transfer, None>): boolean {
  const src = row.obj.source_transaction;
  const chargeId = typeof src === 'string' ? src : (src?.id ?? null);
  if (!chargeId) return false;
  const charge = sb.state.charges.get(chargeId);
  return !!charge && charge.owner === row.owner && charge.obj.transfer === row.obj.id;
}

/** Funds already committed from a source charge to transfers. */
function transferredFrom(sb: Sandbox, platform: string, chargeId: string): number {
  let sum = 0;
  for (const row of sb.state.transfers.owned(platform)) if (row.obj.source_transaction === chargeId) sum += row.obj.amount - row.obj.amount_reversed;
  return sum;
}

export function registerTransfers(router: Router): void {
  router.add('POST', '/v1/transfers', (sb, r) => {
    const p = validate(r.form, {
      amount: req('integer'),
      currency: req('currency'),
      destination: req('string'),
      transfer_group: 'string',
      source_transaction: 'string',
      description: 'string',
      metadata: 'metadata',
    });
    if (r.ctx.connected) throw invalidRequest('Transfers can only be created by the platform.', undefined);
    const amount = positiveAmount(p.int('amount')!);
    const currency = p.str('currency')!;
    const destination = p.str('destination')!;
    const dest = sb.state.accounts.get(destination);
    if (!dest || dest.x.platform !== r.ctx.platform) throw resourceMissing('destination', destination, 'destination');
    if (dest.obj.capabilities?.transfers !== 'active')
      throw invalidRequest(
        'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
        'destination',
        'insufficient_capabilities_for_transfer',
      );
    let availableOn = sb.now();
    const source = p.str('source_transaction') ?? null;
    if (source) {
      const ch = owned(sb.state.charges, source, r.ctx.platform, 'charge', 'source_transaction');
      if (ch.obj.status !== 'succeeded' || !ch.obj.captured) throw invalidRequest('The source transaction must be a succeeded, captured charge.', 'source_transaction');
      // A charge's funds are on the balance in its balance transaction's (settlement) currency.
      const chTxnId = typeof ch.obj.balance_transaction === 'string' ? ch.obj.balance_transaction : (ch.obj.balance_transaction?.id ?? '');
      const chTxn = sb.state.balanceTransactions.get(chTxnId)?.obj;
      const sourceCurrency = chTxn?.currency ?? ch.obj.currency;
      if (sourceCurrency !== currency)
        throw invalidRequest(`The currency of source_transaction's balance transaction (${sourceCurrency}) must be the same as the transfer currency (${currency}).`, 'currency');
      const captured = ch.obj.amount_captured;
      const refunded = ch.obj.amount_refunded - (ch.obj.amount - captured);
      const unrefunded = chTxn && chTxn.currency !== ch.obj.currency ? proportional(chTxn.amount, captured - refunded, captured) : captured - refunded;
      const remaining = unrefunded - transferredFrom(sb, r.ctx.platform, source);
      if (amount > remaining)
        throw invalidRequest(
          `Insufficient funds in the source transaction: the transfers on charge ${source} may not exceed its amount (${remaining} ${currency} remaining).`,
          'amount',
          'balance_insufficient',
        );
      availableOn = Math.max(availableOn, ch.x.availableOn);
    } else if (sb.available(r.ctx.platform, currency) < amount) {
      throw invalidRequest(
        'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance',
        undefined,
        'balance_insufficient',
      );
    }
    return createTransfer(sb, r.ctx.platform, {
      amount,
      currency,
      destination,
      sourceTransaction: source,
      transferGroup: p.str('transfer_group') ?? null,
      metadata: p.meta('metadata') ?? {},
      description: p.str('description') ?? null,
      availableOn,
    });
  });
  router.add('GET', '/v1/transfers', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', destination: 'string', transfer_group: 'string' });
    const dest = p.str('destination');
    const group = p.str('transfer_group');
    return listOf(sb.state.transfers, r.ctx.account, p, '/v1/transfers', (row) => (!dest || row.obj.destination === dest) && (!group || row.obj.transfer_group === group), 'transfer');
  });
  router.add('GET', '/v1/transfers/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.transfers, r.pathParams.id, r.ctx.account, 'transfer').obj;
  });
  router.add('POST', '/v1/transfers/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata', description: 'string' });
    const t = owned(sb.state.transfers, r.pathParams.id, r.ctx.account, 'transfer').obj;
    const previous: Partial<Stripe.Transfer> = { metadata: t.metadata, description: t.description };
    t.metadata = mergeMetadata(t.metadata, p.meta('metadata'), p.isNull('metadata'));
    if (p.has('description') || p.isNull('description')) t.description = p.str('description') ?? null;
    sb.emit({ type: 'transfer.updated', data: { object: t, previous_attributes: previous } }, { platform: r.ctx.platform });
    return t;
  });
  router.add('POST', '/v1/transfers/:id/reversals', (sb, r) => {
    const p = validate(r.form, { amount: 'integer', refund_application_fee: 'boolean', description: 'string', metadata: 'metadata' });
    const row = owned(sb.state.transfers, r.pathParams.id, r.ctx.account, 'transfer');
    const t = row.obj;
    const remaining = t.amount - t.amount_reversed;
    const amount = p.int('amount') ?? remaining;
    positiveAmount(amount);
    if (remaining <= 0) throw invalidRequest(`Transfer ${t.id} has already been fully reversed.`, 'amount', 'transfer_already_reversed' as string);
    if (amount > remaining) throw invalidRequest(`Amount (${amount}) is greater than the unreversed amount on the transfer (${remaining}).`, 'amount');
    const destination = typeof t.destination === 'string' ? t.destination : (t.destination?.id ?? '');
    // Stripe: a destination charge's transfer may be reversed up to the charge's amount (the
    // connected account may go negative); any other transfer only if the destination account's
    // available balance covers the reversal.
    const ofDestinationCharge = isDestinationChargeTransfer(sb, row);
    if (!ofDestinationCharge) {
      const available = sb.available(destination, t.currency);
      if (available < amount)
        throw invalidRequest(
          `Insufficient funds in the destination account ${destination} to reverse this transfer: its available ${t.currency} balance (${available}) is less than the reversal amount (${amount}). Only a transfer made for a destination charge can be reversed beyond the destination's available balance.`,
          'amount',
          'balance_insufficient',
        );
    }
    const reversal = reverseTransfer(sb, row, amount, { sourceRefund: null, metadata: p.meta('metadata') });
    if (p.bool('refund_application_fee') && ofDestinationCharge && t.source_transaction) {
      const feeRow = feeForCharge(sb, row.owner, typeof t.source_transaction === 'string' ? t.source_transaction : t.source_transaction.id);
      if (feeRow) {
        // In proportion to this reversal of the transfer; a reversal completing the transfer refunds what is left.
        const share = refundShare({ total: feeRow.obj.amount, returned: feeRow.obj.amount_refunded, refund: amount, of: t.amount, completes: t.reversed });
        if (share > 0) refundApplicationFee(sb, feeRow, share);
      }
    }
    return reversal;
  });
  router.add('GET', '/v1/transfers/:id/reversals', (sb, r) => {
    const p = validate(r.form, LIST_SCHEMA);
    owned(sb.state.transfers, r.pathParams.id, r.ctx.account, 'transfer');
    return listOf(sb.state.reversals, r.ctx.account, p, `/v1/transfers/${r.pathParams.id}/reversals`, (row) => row.obj.transfer === r.pathParams.id, 'transfer_reversal');
  });
  router.add('GET', '/v1/transfers/:id/reversals/:rid', (sb, r) => {
    validate(r.form, {});
    const row = owned(sb.state.reversals, r.pathParams.rid, r.ctx.account, 'transfer_reversal');
    if (row.obj.transfer !== r.pathParams.id) throw resourceMissing('transfer_reversal', r.pathParams.rid);
    return row.obj;
  });

  router.add('GET', '/v1/application_fees', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', charge: 'string' });
    const charge = p.str('charge');
    return listOf(sb.state.applicationFees, r.ctx.account, p, '/v1/application_fees', (row) => !charge || row.obj.charge === charge || row.obj.originating_transaction === charge, 'application_fee');
  });
  router.add('GET', '/v1/application_fees/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.applicationFees, r.pathParams.id, r.ctx.account, 'application fee').obj;
  });
  router.add('POST', '/v1/application_fees/:id/refunds', (sb, r) => {
    const p = validate(r.form, { amount: 'integer', metadata: 'metadata' });
    const row = owned(sb.state.applicationFees, r.pathParams.id, r.ctx.account, 'application fee');
    const remaining = row.obj.amount - row.obj.amount_refunded;
    const amount = p.int('amount') ?? remaining;
    positiveAmount(amount);
    if (amount > remaining) throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on fee (${remaining}).`, 'amount');
    return refundApplicationFee(sb, row, amount, p.meta('metadata') ?? {});
  });
  router.add('GET', '/v1/application_fees/:id/refunds', (sb, r) => {
    const p = validate(r.form, LIST_SCHEMA);
    owned(sb.state.applicationFees, r.pathParams.id, r.ctx.account, 'application fee');
    return listOf(sb.state.feeRefunds, r.ctx.account, p, `/v1/application_fees/${r.pathParams.id}/refunds`, (row) => row.obj.fee === r.pathParams.id, 'fee_refund');
  });
  router.add('GET', '/v1/application_fees/:id/refunds/:rid', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.feeRefunds, r.pathParams.rid, r.ctx.account, 'fee_refund').obj;
  });
}

export function feeForCharge(sb: Sandbox, platform: string, chargeId: string): Row<Stripe.ApplicationFee, None> | undefined {
  return sb.state.applicationFees.owned(platform).find((f) => f.obj.originating_transaction === chargeId);
}
