import type Stripe from 'stripe';
import { createHash } from 'node:crypto';
import { newId } from '../core/ids.js';
import { accountInvalid, invalidRequest, paramError } from '../http/errors.js';
import { mergeMetadata, obj, oneOf, req, validate, type Params, type Schema } from '../http/params.js';
import type { Router } from '../http/router.js';
import { type Sandbox } from '../engine/sandbox.js';
import type { AccountInternals, BankAccountInfo } from '../engine/state.js';
import type { Row } from '../core/store.js';
import { listOf } from './common.js';
import { LIST_SCHEMA } from '../core/lists.js';

const CAPABILITY = obj({ requested: 'boolean' });
const SCHEDULE = obj({
  interval: oneOf('manual', 'daily', 'weekly', 'monthly'),
  delay_days: 'string',
  weekly_anchor: oneOf('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'),
  monthly_anchor: 'integer',
});
const SETTINGS = obj({ payouts: obj({ schedule: SCHEDULE, statement_descriptor: 'string', debit_negative_balances: 'boolean' }) });
const BUSINESS_PROFILE = obj({ name: 'string', url: 'string', mcc: 'string', product_description: 'string', support_email: 'string' });
const CONTROLLER = obj({
  fees: obj({ payer: oneOf('account', 'application') }),
  losses: obj({ payments: oneOf('application', 'stripe') }),
  requirement_collection: oneOf('application', 'stripe'),
  stripe_dashboard: obj({ type: oneOf('express', 'full', 'none') }),
});

export const V1_CREATE: Schema = {
  type: oneOf('express', 'custom', 'standard'),
  country: 'string',
  email: 'string',
  business_type: oneOf('individual', 'company', 'non_profit', 'government_entity'),
  default_currency: 'currency',
  capabilities: obj({ card_payments: CAPABILITY, transfers: CAPABILITY }),
  controller: CONTROLLER,
  business_profile: BUSINESS_PROFILE,
  settings: SETTINGS,
  metadata: 'metadata',
};
const UPDATE: Schema = {
  email: 'string',
  business_type: oneOf('individual', 'company', 'non_profit', 'government_entity'),
  capabilities: obj({ card_payments: CAPABILITY, transfers: CAPABILITY }),
  controller: obj({ stripe_dashboard: obj({ type: oneOf('express', 'full', 'none') }) }),
  business_profile: BUSINESS_PROFILE,
  settings: SETTINGS,
  metadata: 'metadata',
};

const INITIAL_DUE = ['business_profile.mcc', 'business_profile.url', 'business_type', 'external_account', 'individual.first_name', 'individual.last_name', 'tos_acceptance.date', 'tos_acceptance.ip'];

export function requirements(due: string[], disabled: Stripe.Account.Requirements.DisabledReason | null, deadline: number | null = null): Stripe.Account.Requirements {
  return {
    alternatives: [],
    current_deadline: deadline,
    currently_due: [...due],
    disabled_reason: disabled,
    errors: [],
    eventually_due: [...due],
    past_due: disabled === 'requirements.past_due' ? [...due] : [],
    pending_verification: [],
  };
}

function controllerFor(p: Params): Stripe.Account.Controller {
  const legacy = p.str('type');
  if (legacy && p.has('controller')) throw invalidRequest('You cannot specify both `type` and `controller`.', 'controller');
  if (legacy === 'express')
    return {
      fees: { payer: 'application_express' },
      is_controller: true,
      losses: { payments: 'application' },
      requirement_collection: 'stripe',
      stripe_dashboard: { type: 'express' },
      type: 'application',
    };
  if (legacy === 'custom')
    return {
      fees: { payer: 'application_custom' },
      is_controller: true,
      losses: { payments: 'application' },
      requirement_collection: 'application',
      stripe_dashboard: { type: 'none' },
      type: 'application',
    };
  if (legacy === 'standard')
    return { fees: { payer: 'account' }, is_controller: true, losses: { payments: 'stripe' }, requirement_collection: 'stripe', stripe_dashboard: { type: 'full' }, type: 'application' };
  const c = p.obj('controller');
  const payer = c?.obj('fees')?.str('payer') ?? 'account';
  const losses = c?.obj('losses')?.str('payments') ?? 'stripe';
  const collection = c?.str('requirement_collection') ?? 'stripe';
  const dashboard = c?.obj('stripe_dashboard')?.str('type') ?? (collection === 'application' ? 'none' : 'full');
  if (collection === 'application' && (dashboard !== 'none' || losses !== 'application' || payer !== 'application'))
    throw invalidRequest(
      'When `controller[requirement_collection]` is `application`, `controller[stripe_dashboard][type]` must be `none`, `controller[losses][payments]` must be `application` and `controller[fees][payer]` must be `application`.',
      'controller[requirement_collection]',
    );
  if (dashboard === 'full' && (payer !== 'account' || losses !== 'stripe'))
    throw invalidRequest(
      'Accounts with `controller[stripe_dashboard][type]=full` must have `controller[fees][payer]=account` and `controller[losses][payments]=stripe`.',
      'controller[stripe_dashboard][type]',
    );
  return {
    fees: {
      payer:
        payer === 'application' && dashboard === 'express'
          ? 'application_express'
          : payer === 'application' && dashboard === 'none'
            ? 'application_custom'
            : (payer as Stripe.Account.Controller.Fees.Payer),
    },
    is_controller: true,
    losses: { payments: losses as Stripe.Account.Controller.Losses.Payments },
    requirement_collection: collection as Stripe.Account.Controller.RequirementCollection,
    stripe_dashboard: { type: dashboard as Stripe.Account.Controller.StripeDashboard.Type },
    type: 'application',
  };
}

function typeFor(c: Stripe.Account.Controller): Stripe.Account.Type {
  const dashboard = c.stripe_dashboard?.type;
  if (dashboard === 'express') return 'express';
  if (dashboard === 'full') return 'standard';
  if (c.requirement_collection === 'application') return 'custom';
  return 'none';
}

function schedule(p: Params | undefined, current?: Stripe.Account.Settings.Payouts.Schedule): Stripe.Account.Settings.Payouts.Schedule {
  const s: Stripe.Account.Settings.Payouts.Schedule = current ? { ...current } : { delay_days: 2, interval: 'daily' };
  if (!p) return s;
  const interval = p.str('interval');
  if (interval) s.interval = interval;
  const delay = p.str('delay_days');
  if (delay !== undefined) {
    if (delay !== 'minimum' && !/^\d+$/.test(delay)) throw paramError(`Invalid integer: ${delay}`, 'settings[payouts][schedule][delay_days]', 'parameter_invalid_integer');
    s.delay_days = delay === 'minimum' ? 2 : Number(delay);
  }
  if (s.interval === 'weekly') s.weekly_anchor = p.str('weekly_anchor') ?? current?.weekly_anchor ?? 'monday';
  else delete s.weekly_anchor;
  if (s.interval === 'monthly') s.monthly_anchor = p.int('monthly_anchor') ?? current?.monthly_anchor ?? 1;
  else delete s.monthly_anchor;
  return s;
}

function capabilities(p: Params | undefined, current: Stripe.Account.Capabilities = {}, active = false): Stripe.Account.Capabilities {
  const out: Stripe.Account.Capabilities = { ...current };
  for (const name of ['card_payments', 'transfers'] as const) {
    const requested = p?.obj(name)?.bool('requested');
    if (requested === true && !out[name]) out[name] = active ? 'active' : 'inactive';
    if (requested === false) delete out[name];
  }
  return out;
}

export function bankAccountObject(account: string, bank: BankAccountInfo, currency: string, country: string): Stripe.BankAccount {
  return {
    id: bank.id,
    object: 'bank_account',
    account,
    account_holder_name: null,
    account_holder_type: 'individual',
    account_type: null,
    available_payout_methods: ['standard'],
    bank_name: 'STRIPE TEST BANK',
    country,
    currency,
    default_for_currency: true,
    fingerprint: createHash('sha256').update(bank.accountNumber).digest('hex').slice(0, 16),
    future_requirements: null,
    last4: bank.last4,
    metadata: {},
    requirements: null,
    routing_number: bank.routingNumber,
    status: 'new',
  };
}

export function buildAccount(sb: Sandbox, p: Params): Stripe.Account {
  const now = sb.now();
  const controller = controllerFor(p);
  const type = typeFor(controller);
  const id = newId('acct', 16);
  const country = (p.str('country') ?? 'US').toUpperCase();
  const currency = p.str('default_currency') ?? (country === 'US' ? 'usd' : country === 'GB' ? 'gbp' : 'eur');
  let caps = capabilities(p.obj('capabilities'));
  if (Object.keys(caps).length === 0 && type !== 'standard' && type !== 'none') caps = { transfers: 'inactive' };
  const bp = p.obj('business_profile');
  const account: Stripe.Account = {
    id,
    object: 'account',
    business_profile: {
      annual_revenue: null,
      estimated_worker_count: null,
      mcc: bp?.str('mcc') ?? null,
      minority_owned_business_designation: null,
      monthly_estimated_revenue: { amount: 0, currency },
      name: bp?.str('name') ?? null,
      product_description: bp?.str('product_description') ?? null,
      support_address: null,
      support_email: bp?.str('support_email') ?? null,
      support_phone: null,
      support_url: null,
      specified_commercial_transactions_act_url: null,
      url: bp?.str('url') ?? null,
    },
    business_type: (p.str('business_type') as Stripe.Account.BusinessType | undefined) ?? null,
    capabilities: caps,
    charges_enabled: false,
    controller,
    country,
    created: now,
    default_currency: currency,
    details_submitted: false,
    email: p.str('email') ?? null,
    external_accounts: { object: 'list', data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    future_requirements: requirements([], null),
    metadata: p.meta('metadata') ?? {},
    payouts_enabled: false,
    requirements: requirements(INITIAL_DUE, 'requirements.past_due'),
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: { decline_on: { avs_failure: false, cvc_failure: false }, statement_descriptor_prefix: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      dashboard: { display_name: bp?.str('name') ?? null, timezone: 'Etc/UTC' },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: null },
      payments: { statement_descriptor: null, statement_descriptor_kana: null, statement_descriptor_kanji: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      payouts: {
        debit_negative_balances: controller.losses?.payments === 'application',
        schedule: schedule(p.obj('settings')?.obj('payouts')?.obj('schedule')),
        statement_descriptor: null,
      },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type,
  };
  return account;
}

export function accountRow(sb: Sandbox, id: string): Row<Stripe.Account, AccountInternals> {
  const ctx = sb.ctx!;
  const row = sb.state.accounts.get(id);
  if (!row || row.x.platform !== ctx.platform) throw accountInvalid(ctx.apiKey, id);
  if (ctx.connected && ctx.account !== id) throw accountInvalid(ctx.apiKey, id);
  return row;
}

/** Emit account.updated (with previous_attributes) and capability.updated for changed capabilities. */
export function accountChanged(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, before: Stripe.Account): void {
  const a = row.obj;
  const previous: Partial<Stripe.Account> = {};
  for (const key of Object.keys(a) as Array<keyof Stripe.Account>) {
    if (JSON.stringify(a[key]) !== JSON.stringify(before[key])) Object.assign(previous, { [key]: before[key] ?? null });
  }
  if (Object.keys(previous).length === 0) return;
  sb.emit({ type: 'account.updated', data: { object: a, previous_attributes: previous } }, { platform: row.x.platform, account: a.id });
  for (const name of ['card_payments', 'transfers'] as const) {
    const now = a.capabilities?.[name];
    if (now && now !== before.capabilities?.[name]) {
      const cap: Stripe.Capability = {
        id: name,
        object: 'capability',
        account: a.id,
        requested: true,
        requested_at: a.created ?? null,
        requirements: {
          alternatives: [],
          current_deadline: a.requirements?.current_deadline ?? null,
          currently_due: a.requirements?.currently_due ?? [],
          disabled_reason: a.requirements?.disabled_reason ?? null,
          errors: [],
          eventually_due: a.requirements?.eventually_due ?? [],
          past_due: a.requirements?.past_due ?? [],
          pending_verification: [],
        },
        status: now as Stripe.Capability.Status,
      };
      sb.emit(
        { type: 'capability.updated', data: { object: cap, previous_attributes: { status: before.capabilities?.[name] as Stripe.Capability.Status | undefined } } },
        { platform: row.x.platform, account: a.id },
      );
    }
  }
}

/** What a person chooses on the hosted onboarding page (`pending`: Stripe still verifies what they sent). */
export type OnboardingOutcome = 'complete' | 'requirements_due' | 'pending' | 'rejected';
/** An account's state after onboarding or after Stripe's verification of a `pending` one (POST /_sandbox/accounts/:acct/verification). */
export type AccountOutcome = OnboardingOutcome | 'verification_failed';
export const PENDING_DOCUMENT = 'individual.verification.document';

/** What the hosted onboarding page does when a person submits it. */
export function completeOnboarding(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, outcome: OnboardingOutcome, accountNumber: string, routingNumber: string): void {
  const before = structuredClone(row.obj);
  const a = row.obj;
  a.details_submitted = true;
  if (/^\d{4,17}$/.test(accountNumber)) {
    const bank: BankAccountInfo = { id: newId('ba', 24), accountNumber, routingNumber, last4: accountNumber.slice(-4) };
    row.x.bank = bank;
    a.external_accounts = { object: 'list', data: [bankAccountObject(a.id, bank, a.default_currency ?? 'usd', a.country ?? 'US')], has_more: false, url: `/v1/accounts/${a.id}/external_accounts` };
  }
  a.business_type = a.business_type ?? 'individual';
  a.tos_acceptance = { date: sb.now(), ip: '127.0.0.1', user_agent: 'stripe-sandbox' };
  setOutcome(row, outcome);
  accountChanged(sb, row, before);
}

/** Stripe finished verifying a `pending` account: verified (`complete`) or not (`verification_failed`). */
export function setAccountOutcome(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, outcome: AccountOutcome): void {
  const before = structuredClone(row.obj);
  setOutcome(row, outcome);
  accountChanged(sb, row, before);
}

function setOutcome(row: Row<Stripe.Account, AccountInternals>, outcome: AccountOutcome): void {
  const a = row.obj;
  const caps: Stripe.Account.Capabilities = {};
  const every = (status: 'active' | 'inactive' | 'pending') => {
    for (const k of Object.keys(a.capabilities ?? {}) as Array<keyof Stripe.Account.Capabilities>) caps[k] = status;
    a.capabilities = caps;
  };
  if (outcome === 'pending') {
    every('pending');
    a.requirements = requirements([], 'requirements.pending_verification');
    a.requirements.pending_verification = [PENDING_DOCUMENT];
    a.charges_enabled = false;
    a.payouts_enabled = false;
  } else if (outcome === 'verification_failed') {
    every('inactive');
    a.requirements = requirements([PENDING_DOCUMENT], 'requirements.past_due');
    a.requirements.errors = [{ code: 'verification_failed_other', reason: 'The document could not be verified.', requirement: PENDING_DOCUMENT }];
    a.charges_enabled = false;
    a.payouts_enabled = false;
  } else if (outcome === 'complete') {
    every('active');
    a.requirements = requirements(row.x.bank ? [] : ['external_account'], null);
    a.charges_enabled = caps.card_payments === 'active';
    a.payouts_enabled = !!row.x.bank;
  } else if (outcome === 'requirements_due') {
    every('inactive');
    a.requirements = requirements([PENDING_DOCUMENT], 'requirements.past_due', null);
    a.requirements.eventually_due = [PENDING_DOCUMENT, 'individual.id_number'];
    a.charges_enabled = false;
    a.payouts_enabled = false;
  } else {
    rejectAccount(a, 'rejected.other');
  }
}

function rejectAccount(a: Stripe.Account, reason: Stripe.Account.Requirements.DisabledReason): void {
  const caps: Stripe.Account.Capabilities = {};
  for (const k of Object.keys(a.capabilities ?? {}) as Array<keyof Stripe.Account.Capabilities>) caps[k] = 'inactive';
  a.capabilities = caps;
  a.requirements = requirements([], reason);
  a.charges_enabled = false;
  a.payouts_enabled = false;
}

function platformAccount(sb: Sandbox, id: string): Stripe.Account {
  return {
    id,
    object: 'account',
    business_profile: null,
    business_type: 'company',
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: true,
    country: 'US',
    created: sb.now(),
    default_currency: sb.settlementCurrency(id),
    details_submitted: true,
    email: 'platform@sandbox.test',
    metadata: {},
    payouts_enabled: true,
    requirements: requirements([], null),
    type: 'standard',
  };
}

function platformLiable(a: Stripe.Account): boolean {
  return a.controller?.losses?.payments === 'application' || a.type === 'express' || a.type === 'custom';
}

export function registerAccounts(router: Router): void {
  router.add('POST', '/v1/accounts', (sb, r) => {
    const p = validate(r.form, V1_CREATE);
    if (r.ctx.connected) throw invalidRequest('Connected accounts cannot create accounts.', undefined, undefined, 400);
    const account = buildAccount(sb, p);
    sb.state.accounts.insert(account, r.ctx.platform, { platform: r.ctx.platform, bank: null, lastAutoPayout: {} });
    return account;
  });
  router.add('GET', '/v1/accounts', (sb, r) => {
    const p = validate(r.form, { ...LIST_SCHEMA, created: 'range' });
    return listOf(sb.state.accounts, r.ctx.platform, p, '/v1/accounts', undefined, 'account');
  });
  router.add('GET', '/v1/account', (sb, r) => {
    validate(r.form, {});
    return r.ctx.connected ? accountRow(sb, r.ctx.account).obj : platformAccount(sb, r.ctx.platform);
  });
  router.add('GET', '/v1/accounts/:id', (sb, r) => {
    validate(r.form, {});
    if (r.pathParams.id === r.ctx.platform) return platformAccount(sb, r.ctx.platform);
    return accountRow(sb, r.pathParams.id).obj;
  });
  router.add('POST', '/v1/accounts/:id', (sb, r) => {
    const p = validate(r.form, UPDATE);
    const row = accountRow(sb, r.pathParams.id);
    const a = row.obj;
    const before = structuredClone(a);
    const dash = p.obj('controller')?.obj('stripe_dashboard')?.str('type');
    if (dash && dash !== a.controller?.stripe_dashboard?.type)
      throw invalidRequest('You cannot change `controller[stripe_dashboard][type]` after the account is created.', 'controller[stripe_dashboard][type]');
    if (p.has('email')) a.email = p.str('email') ?? null;
    if (p.has('business_type')) a.business_type = (p.str('business_type') as Stripe.Account.BusinessType | undefined) ?? null;
    if (p.has('capabilities')) a.capabilities = capabilities(p.obj('capabilities'), a.capabilities, a.details_submitted && !a.requirements?.disabled_reason);
    if (p.has('metadata') || p.isNull('metadata')) a.metadata = mergeMetadata(a.metadata ?? {}, p.meta('metadata'), p.isNull('metadata'));
    const bp = p.obj('business_profile');
    if (bp && a.business_profile) {
      for (const k of ['name', 'url', 'mcc', 'product_description', 'support_email'] as const) if (bp.has(k) || bp.isNull(k)) a.business_profile[k] = bp.str(k) ?? null;
    }
    const payouts = p.obj('settings')?.obj('payouts');
    const current = a.settings?.payouts;
    if (payouts && a.settings && current) {
      a.settings.payouts = {
        ...current,
        schedule: schedule(payouts.obj('schedule'), current.schedule),
        statement_descriptor: payouts.has('statement_descriptor') ? (payouts.str('statement_descriptor') ?? null) : current.statement_descriptor,
        debit_negative_balances: payouts.bool('debit_negative_balances') ?? current.debit_negative_balances,
      };
    }
    accountChanged(sb, row, before);
    return a;
  });
  router.add('DELETE', '/v1/accounts/:id', (sb, r) => {
    validate(r.form, {});
    const row = accountRow(sb, r.pathParams.id);
    if (!platformLiable(row.obj)) throw invalidRequest('You can only delete accounts where your platform is liable for negative balances (Express and Custom accounts).', 'account');
    sb.state.accounts.remove(row.obj.id);
    const deleted: Stripe.DeletedAccount = { id: row.obj.id, object: 'account', deleted: true };
    return deleted;
  });
  router.add('POST', '/v1/accounts/:id/reject', (sb, r) => {
    const p = validate(r.form, { reason: req(oneOf('fraud', 'terms_of_service', 'other')) });
    const row = accountRow(sb, r.pathParams.id);
    if (!platformLiable(row.obj)) throw invalidRequest('You can only reject accounts where your platform is liable for negative balances.', 'account');
    const before = structuredClone(row.obj);
    rejectAccount(row.obj, `rejected.${p.str('reason')}` as Stripe.Account.Requirements.DisabledReason);
    accountChanged(sb, row, before);
    return row.obj;
  });
  router.add('POST', '/v1/accounts/:id/login_links', (sb, r) => {
    validate(r.form, {});
    const row = accountRow(sb, r.pathParams.id);
    if (row.obj.controller?.stripe_dashboard?.type !== 'express') throw invalidRequest('Cannot create a login link for an account that does not use the Express Dashboard.', 'account');
    const link: Stripe.LoginLink = { object: 'login_link', created: sb.now(), url: `${sb.config.baseUrl}/_sandbox/dashboard/${row.obj.id}?t=${newId('ll', 12)}` };
    return link;
  });
  router.add('POST', '/v1/account_links', (sb, r) => {
    const p = validate(r.form, {
      account: req('string'),
      type: req(oneOf('account_onboarding', 'account_update')),
      refresh_url: 'string',
      return_url: 'string',
      collect: oneOf('currently_due', 'eventually_due'),
      collection_options: obj({ fields: oneOf('currently_due', 'eventually_due'), future_requirements: oneOf('include', 'omit') }),
    });
    const account = p.str('account')!;
    const row = sb.state.accounts.get(account);
    if (!row || row.x.platform !== r.ctx.platform) throw accountInvalid(r.ctx.apiKey, account);
    const a = row.obj;
    if (p.str('type') === 'account_update' && (a.controller?.stripe_dashboard?.type !== 'none' || a.controller?.requirement_collection === 'stripe'))
      throw invalidRequest(
        'You cannot create `account_update` type Account Links for accounts that have access to a Stripe-hosted Dashboard or where Stripe is responsible for requirement collection.',
        'type',
      );
    const token = newId('acctlink', 20);
    const now = sb.now();
    const link = { id: token, object: 'account_link' as const, created: now, expires_at: now + 300, url: `${sb.config.baseUrl}/_sandbox/onboarding/${token}` };
    sb.state.accountLinks.insert(link, r.ctx.platform, {
      token,
      used: false,
      type: p.str('type')!,
      account,
      refreshUrl: p.str('refresh_url') ?? null,
      returnUrl: p.str('return_url') ?? null,
    });
    const out: Stripe.AccountLink = { object: link.object, created: link.created, expires_at: link.expires_at, url: link.url };
    return out;
  });
}
