import type Stripe from 'stripe';
import { invalidRequest } from '../http/errors.js';
import { listOf, obj, oneOf, validate } from '../http/params.js';
import type { Router } from '../http/router.js';
import type { Sandbox } from '../engine/sandbox.js';
import { accountRow } from './accounts.js';

// The Balance Settings API (`/v1/balance_settings`, with Stripe-Account): "Retrieves/Updates balance
// settings for a given connected account", for v1 and v2 accounts alike. Its payout schedule is the
// account's (`settings.payouts.schedule` on the v1 view), so `interval: manual` stops automatic payouts.

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const UPDATE = {
  payments: obj({
    debit_negative_balances: 'boolean',
    payouts: obj({
      schedule: obj({ interval: oneOf('daily', 'manual', 'weekly', 'monthly'), weekly_payout_days: listOf(oneOf(...WEEKDAYS)), monthly_payout_days: listOf('integer') }),
      statement_descriptor: 'string',
    }),
  }),
};

function connectedAccount(sb: Sandbox): Stripe.Account {
  const ctx = sb.ctx!;
  if (!ctx.connected) throw invalidRequest('The sandbox keeps balance settings for connected accounts: send the Stripe-Account header.', undefined, 'account_invalid');
  return accountRow(sb, ctx.account).obj;
}

function render(sb: Sandbox, a: Stripe.Account): Stripe.BalanceSettings {
  const p = a.settings?.payouts;
  const s = p?.schedule;
  const schedule: Stripe.BalanceSettings.Payments.Payouts.Schedule = { interval: s?.interval ?? 'daily' };
  if (s?.interval === 'weekly') schedule.weekly_payout_days = (s.weekly_payout_days ?? [s.weekly_anchor ?? 'monday']) as Stripe.BalanceSettings.Payments.Payouts.Schedule.WeeklyPayoutDay[];
  if (s?.interval === 'monthly') schedule.monthly_payout_days = s.monthly_payout_days ?? [s.monthly_anchor ?? 1];
  const row = sb.state.accounts.get(a.id);
  return {
    object: 'balance_settings',
    payments: {
      debit_negative_balances: p?.debit_negative_balances ?? null,
      payouts: {
        automatic_transfer_rules_by_currency: null,
        minimum_balance_by_currency: null,
        schedule,
        statement_descriptor: p?.statement_descriptor ?? null,
        status: a.payouts_enabled && row?.x.bank ? 'enabled' : 'disabled',
      },
      settlement_timing: { delay_days: s?.delay_days ?? 2, start_of_day: null },
    },
  };
}

export function registerBalanceSettings(router: Router): void {
  router.add('GET', '/v1/balance_settings', (sb, r) => {
    validate(r.form, {});
    return render(sb, connectedAccount(sb));
  });
  router.add('POST', '/v1/balance_settings', (sb, r) => {
    const p = validate(r.form, UPDATE);
    const a = connectedAccount(sb);
    const before = JSON.stringify(render(sb, a));
    const payments = p.obj('payments');
    const payouts = a.settings?.payouts;
    if (payments && payouts) {
      const debit = payments.bool('debit_negative_balances');
      if (debit !== undefined) payouts.debit_negative_balances = debit;
      const po = payments.obj('payouts');
      if (po?.has('statement_descriptor')) payouts.statement_descriptor = po.str('statement_descriptor') ?? null;
      const sched = po?.obj('schedule');
      if (sched) {
        const s = { ...payouts.schedule };
        const interval = sched.str('interval') ?? s.interval;
        const weekly = sched.strs('weekly_payout_days');
        const monthly = sched.objs('monthly_payout_days').length ? [] : (sched.raw.monthly_payout_days as unknown as number[] | undefined);
        if (interval === 'weekly' && !weekly.length && !s.weekly_payout_days)
          throw invalidRequest('weekly_payout_days is required when interval is weekly.', 'payments[payouts][schedule][weekly_payout_days]');
        if (interval === 'monthly' && !monthly?.length && !s.monthly_payout_days)
          throw invalidRequest('monthly_payout_days is required when interval is monthly.', 'payments[payouts][schedule][monthly_payout_days]');
        if (monthly?.some((d) => d < 1 || d > 31)) throw invalidRequest('monthly_payout_days must be between 1 and 31.', 'payments[payouts][schedule][monthly_payout_days]');
        s.interval = interval;
        delete s.weekly_anchor;
        delete s.monthly_anchor;
        if (interval === 'weekly') s.weekly_payout_days = (weekly.length ? weekly : s.weekly_payout_days) as typeof s.weekly_payout_days;
        else delete s.weekly_payout_days;
        if (interval === 'monthly') s.monthly_payout_days = monthly?.length ? monthly : s.monthly_payout_days;
        else delete s.monthly_payout_days;
        payouts.schedule = s;
      }
    }
    const settings = render(sb, a);
    // "Occurs whenever a balance settings status or property has changed" (a connect event with `account`)
    if (JSON.stringify(settings) !== before) sb.emit({ type: 'balance_settings.updated', data: { object: settings } }, { platform: r.ctx.platform, account: a.id });
    return settings;
  });
}
