import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import { LIST_SCHEMA } from '../core/lists.js';
import type { Row } from '../core/store.js';
import { invalidRequest } from '../http/errors.js';
import { mergeMetadata, oneOf, req, validate } from '../http/params.js';
import type { Router } from '../http/router.js';
import { DAY, type Sandbox } from '../engine/sandbox.js';
import type { PayoutInternals } from '../engine/state.js';
import { BANK_FAILURE_CODES, PAYOUT_FAILURE_MESSAGES, listOf, owned, positiveAmount } from './common.js';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export function createPayout(
  sb: Sandbox,
  owner: string,
  f: { amount: number; currency: string; automatic: boolean; description: string | null; metadata: Record<string, string>; statementDescriptor: string | null },
): Row<Stripe.Payout, PayoutInternals> {
  const acct = sb.state.accounts.get(owner);
  const bank = acct?.x.bank ?? null;
  const now = sb.now();
  const id = newId('po');
  const txn = sb.addTxn(owner, { amount: -f.amount, currency: f.currency, type: 'payout', reportingCategory: 'payout', source: id, description: f.description ?? 'STRIPE PAYOUT' });
  const arrival = f.automatic ? now + DAY : now + sb.config.payoutArrival;
  const payout: Stripe.Payout = {
    id,
    object: 'payout',
    amount: f.amount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: arrival,
    automatic: f.automatic,
    balance_transaction: txn.id,
    created: now,
    currency: f.currency,
    description: f.description ?? 'STRIPE PAYOUT',
    destination: bank?.id ?? null,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: f.metadata,
    method: 'standard',
    original_payout: null,
    payout_method: null,
    reconciliation_status: f.automatic ? 'in_progress' : 'not_applicable',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: f.statementDescriptor,
    status: 'pending',
    trace_id: { status: 'pending', value: null },
    type: 'bank_account',
  };
  const failureCode = bank ? (BANK_FAILURE_CODES[bank.accountNumber] ?? null) : null;
  const row = sb.state.payouts.insert(payout, owner, { inTransitAt: now + Math.floor((arrival - now) / 2), failureCode });
  if (f.automatic) {
    // The automatic payout carries every available transaction not yet paid out, itself included.
    for (const t of sb.state.balanceTransactions.owned(owner)) if (t.x.payout === null && t.obj.currency === f.currency && t.obj.available_on <= now) t.x.payout = id;
  }
  sb.emit({ type: 'payout.created', data: { object: payout } }, eventTarget(sb, owner));
  return row;
}

function eventTarget(sb: Sandbox, owner: string): { platform: string; account: string | null } {
  const acct = sb.state.accounts.get(owner);
  return acct ? { platform: acct.x.platform, account: owner } : { platform: owner, account: null };
}

export function failPayout(sb: Sandbox, row: Row<Stripe.Payout, PayoutInternals>, code: string): void {
  const p = row.obj;
  if (p.status === 'failed' || p.status === 'canceled') throw invalidRequest(`Payout ${p.id} is already ${p.status}.`, 'payout');
  const previous: Partial<Stripe.Payout> = { status: p.status, failure_code: p.failure_code, failure_message: p.failure_message };
  const txn = sb.addTxn(row.owner, { amount: p.amount, currency: p.currency, type: 'payout_failure', reportingCategory: 'payout_reversal', source: p.id, description: `Payout failure (${code})` });
  p.status = 'failed';
  p.failure_code = code;
  p.failure_message = PAYOUT_FAILURE_MESSAGES[code] ?? 'The payout failed.';
  p.failure_balance_transaction = txn.id;
  if (p.trace_id) p.trace_id = { status: 'unsupported', value: null };
  const target = eventTarget(sb, row.owner);
  sb.emit({ type: 'payout.updated', data: { object: p, previous_attributes: previous } }, target);
  sb.emit({ type: 'payout.failed', data: { object: p } }, target);
  markBankErrored(sb, row.owner, p.destination);
}

/**
 * As Stripe does after a failed payout: the bank account's status becomes `errored` and scheduled
 * payouts stop until the account's bank details are updated (onboarding again).
 */
function markBankErrored(sb: Sandbox, owner: string, destination: Stripe.Payout['destination']): void {
  const acct = sb.state.accounts.get(owner);
  const bankId = typeof destination === 'string' ? destination : (destination?.id ?? null);
  const bank = acct?.obj.external_accounts?.data.find((e): e is Stripe.BankAccount => e.object === 'bank_account' && e.id === bankId);
  if (!acct || !bank || bank.status === 'errored') return;
  const previous: Partial<Stripe.BankAccount> = { status: bank.status };
  bank.status = 'errored';
  sb.emit({ type: 'account.external_account.updated', data: { object: bank, previous_attributes: previous } }, { platform: acct.x.platform, account: owner });
}

function bankErrored(a: Stripe.Account): boolean {
  return (a.external_accounts?.data ?? []).some((e) => e.object === 'bank_account' && e.default_for_currency && e.status === 'errored');
}

function setStatus(sb: Sandbox, row: Row<Stripe.Payout, PayoutInternals>, status: 'in_transit' | 'paid'): void {
  const p = row.obj;
  const previous: Partial<Stripe.Payout> = { status: p.status };
  p.status = status;
  if (status === 'paid') {
    if (p.reconciliation_status === 'in_progress') p.reconciliation_status = 'completed';
    p.trace_id = { status: 'supported', value: `TRACE${p.id.slice(3, 15).toUpperCase()}` };
  }
  const target = eventTarget(sb, row.owner);
  sb.emit({ type: 'payout.updated', data: { object: p, previous_attributes: previous } }, target);
  if (status === 'paid') sb.emit({ type: 'payout.paid', data: { object: p } }, target);
}

/** Payouts move along as sandbox time passes; automatic payouts fire at the start of a day. */
export function schedulePayouts(sb: Sandbox): void {
  sb.onTick(
    (now, isDayStart) => {
      sb.settleTransactions();
      for (const row of sb.state.payouts.all()) {
        const p = row.obj;
        if (p.status === 'pending' && now >= row.x.inTransitAt) setStatus(sb, row, 'in_transit');
        if (p.status === 'in_transit' && now >= p.arrival_date) {
          if (row.x.failureCode) failPayout(sb, row, row.x.failureCode);
          else setStatus(sb, row, 'paid');
        }
      }
      if (isDayStart) runAutomaticPayouts(sb, now);
      for (const row of sb.state.sessions.all())
        if (row.obj.status === 'open' && now >= row.obj.expires_at) {
          row.obj.status = 'expired';
          row.obj.url = null;
          sb.emit({ type: 'checkout.session.expired', data: { object: row.obj } }, { platform: row.x.platform });
        }
    },
    (after) => {
      let next: number | null = null;
      for (const row of sb.state.payouts.all()) {
        const p = row.obj;
        const t = p.status === 'pending' ? row.x.inTransitAt : p.status === 'in_transit' ? p.arrival_date : null;
        if (t !== null && t > after && (next === null || t < next)) next = t;
      }
      return next;
    },
  );
}

function runAutomaticPayouts(sb: Sandbox, now: number): void {
  const date = new Date(now * 1000);
  for (const row of sb.state.accounts.all()) {
    const a = row.obj;
    const schedule = a.settings?.payouts?.schedule;
    if (!schedule || schedule.interval === 'manual' || !a.payouts_enabled || !row.x.bank || bankErrored(a)) continue;
    // weekly_payout_days / monthly_payout_days come from the Balance Settings API, the anchors from v1 accounts
    const weekdays: string[] = schedule.weekly_payout_days ?? [schedule.weekly_anchor ?? 'monday'];
    if (schedule.interval === 'weekly' && !weekdays.includes(WEEKDAYS[date.getUTCDay()])) continue;
    if (schedule.interval === 'monthly' && !(schedule.monthly_payout_days ?? [schedule.monthly_anchor ?? 1]).includes(date.getUTCDate())) continue;
    const currencies = new Set(sb.state.balanceTransactions.owned(a.id).map((t) => t.obj.currency));
    for (const currency of currencies) {
      if (row.x.lastAutoPayout[currency] === now) continue;
      const amount = sb.available(a.id, currency);
      if (amount <= 0) continue;
      row.x.lastAutoPayout[currency] = now;
      createPayout(sb, a.id, { amount, currency, automatic: true, description: 'STRIPE PAYOUT', metadata: {}, statementDescriptor: null });
    }
  }
}

export function registerPayouts(router: Router): void {
  router.add('POST', '/v1/payouts', (sb, r) => {
    const p = validate(r.form, {
      amount: req('integer'),
      currency: req('currency'),
      description: 'string',
      metadata: 'metadata',
      method: oneOf('standard', 'instant'),
      statement_descriptor: 'string',
      destination: 'string',
      source_type: oneOf('card', 'bank_account', 'fpx'),
    });
    const amount = positiveAmount(p.int('amount')!);
    const currency = p.str('currency')!;
    const acct = sb.state.accounts.get(r.ctx.account);
    if (acct) {
      if (!acct.x.bank) throw invalidRequest('This account has no external account to pay out to. Add a bank account through onboarding first.', 'destination', 'no_external_account' as string);
      if (!acct.obj.payouts_enabled) throw invalidRequest('Payouts are not enabled for this account.', undefined, 'payouts_not_allowed');
    }
    if (p.str('method') === 'instant') throw invalidRequest('Instant payouts are not supported by the sandbox.', 'method');
    const available = sb.available(r.ctx.account, currency);
    if (available < amount)
      throw invalidRequest(
        `You have insufficient funds in your Stripe account for this transfer. Your card balance is too low. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see stripe.com/docs/api#balance).`,
        'amount',
        'balance_insufficient',
      );
    return createPayout(sb, r.ctx.account, {
      amount,
      currency,
      automatic: false,
      description: p.str('description') ?? null,
      metadata: p.meta('metadata') ?? {},
      statementDescriptor: p.str('statement_descriptor') ?? null,
    }).obj;
  });
  router.add('GET', '/v1/payouts', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', arrival_date: 'range', status: oneOf('pending', 'paid', 'failed', 'canceled', 'in_transit'), destination: 'string' });
    const status = p.str('status');
    const arrival = p.range('arrival_date');
    return listOf(
      sb.state.payouts,
      r.ctx.account,
      p,
      '/v1/payouts',
      (row) => (!status || row.obj.status === status) && (arrival === undefined || inRangeValue(row.obj.arrival_date, arrival)),
      'payout',
    );
  });
  router.add('GET', '/v1/payouts/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.payouts, r.pathParams.id, r.ctx.account, 'payout').obj;
  });
  router.add('POST', '/v1/payouts/:id', (sb, r) => {
    const p = validate(r.form, { metadata: 'metadata' });
    const po = owned(sb.state.payouts, r.pathParams.id, r.ctx.account, 'payout').obj;
    po.metadata = mergeMetadata(po.metadata ?? {}, p.meta('metadata'), p.isNull('metadata'));
    return po;
  });
  router.add('POST', '/v1/payouts/:id/cancel', (sb, r) => {
    validate(r.form, {});
    const row = owned(sb.state.payouts, r.pathParams.id, r.ctx.account, 'payout');
    const po = row.obj;
    if (po.automatic) throw invalidRequest('Automatic payouts cannot be canceled.', 'payout');
    if (po.status !== 'pending') throw invalidRequest(`Payouts can only be canceled while they are pending; this payout is ${po.status}.`, 'payout');
    const previous: Partial<Stripe.Payout> = { status: po.status };
    sb.addTxn(row.owner, { amount: po.amount, currency: po.currency, type: 'payout_cancel', reportingCategory: 'payout_reversal', source: po.id });
    po.status = 'canceled';
    const target = eventTarget(sb, row.owner);
    sb.emit({ type: 'payout.updated', data: { object: po, previous_attributes: previous } }, target);
    sb.emit({ type: 'payout.canceled', data: { object: po } }, target);
    return po;
  });

  router.add('GET', '/v1/balance', (sb, r) => {
    validate(r.form, {});
    return sb.balance(r.ctx.account);
  });
  router.add('GET', '/v1/balance_transactions', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range', payout: 'string', type: 'string', source: 'string', currency: 'currency' });
    const payout = p.str('payout');
    if (payout) {
      const po = owned(sb.state.payouts, payout, r.ctx.account, 'payout', 'payout').obj;
      if (!po.automatic) throw invalidRequest('Balance transaction history can only be filtered on automatic transfers, not manual.', 'payout');
    }
    const type = p.str('type');
    const source = p.str('source');
    const currency = p.str('currency');
    return listOf(
      sb.state.balanceTransactions,
      r.ctx.account,
      p,
      '/v1/balance_transactions',
      (row) => (!payout || row.x.payout === payout) && (!type || row.obj.type === type) && (!source || row.obj.source === source) && (!currency || row.obj.currency === currency),
      'balance_transaction',
    );
  });
  router.add('GET', '/v1/balance_transactions/:id', (sb, r) => {
    validate(r.form, {});
    return owned(sb.state.balanceTransactions, r.pathParams.id, r.ctx.account, 'balance transaction').obj;
  });
}

function inRangeValue(value: number, r: number | { gt?: number; gte?: number; lt?: number; lte?: number }): boolean {
  if (typeof r === 'number') return value === r;
  return (r.gt === undefined || value > r.gt) && (r.gte === undefined || value >= r.gte) && (r.lt === undefined || value < r.lt) && (r.lte === undefined || value <= r.lte);
}
