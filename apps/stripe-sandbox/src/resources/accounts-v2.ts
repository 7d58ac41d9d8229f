import type Stripe from 'stripe';
import { newId } from '../core/ids.js';
import type { Row } from '../core/store.js';
import type { Sandbox } from '../engine/sandbox.js';
import type { AccountInternals } from '../engine/state.js';
import { StripeApiError } from '../http/errors.js';
import type { FormObject } from '../http/form.js';
import { at, checkJson, includes, type Json, type JsonSchema, rfc3339, str, v2Error, v2Page, v2ParamError } from '../http/json-params.js';
import { validate } from '../http/params.js';
import type { Router } from '../http/router.js';
import { type AccountOutcome, buildAccount, completeOnboarding, type OnboardingOutcome, PENDING_DOCUMENT, setAccountOutcome, V1_CREATE } from './accounts.js';

// Accounts v2 (/v2/core/accounts) as Stripe documents them: one Account with configurations
// (`recipient`: stripe_balance.stripe_transfers + stripe_balance.payouts; `merchant`: card_payments +
// stripe_balance.payouts), capabilities with status and status_details, `requirements.entries`.
// The same `acct_` id is a v1 Account too (GET /v1/accounts/:id, Stripe-Account, transfers,
// payouts, balances): the sandbox keeps the v1 view beside the v2 one and projects v2 changes onto it.

type V2Account = Stripe.V2.Core.Account;
type ConfigName = 'recipient' | 'merchant';
type CapabilityName = 'stripe_balance.stripe_transfers' | 'stripe_balance.payouts' | 'card_payments';
type CapStatus = 'active' | 'pending' | 'restricted' | 'rejected' | 'unsupported';
interface Cap {
  status: CapStatus;
  status_details: Array<{ code: Stripe.V2.Core.Account.Configuration.Merchant.Capabilities.CardPayments.StatusDetail.Code; resolution: 'contact_stripe' | 'no_resolution' | 'provide_info' }>;
}

const INCLUDABLE = ['configuration.customer', 'configuration.merchant', 'configuration.recipient', 'defaults', 'future_requirements', 'identity', 'requirements'] as const;
const REQUESTED: JsonSchema = { requested: 'boolean' };
const PROFILE: JsonSchema = { business_url: 'string', doing_business_as: 'string', product_description: 'string' };
const RESPONSIBILITIES: JsonSchema = { fees_collector: ['application', 'application_custom', 'application_express', 'stripe'], losses_collector: ['application', 'stripe'] };
const ENTITY_TYPES = ['company', 'government_entity', 'individual', 'non_profit'] as const;
function configurationSchema(withApplied: boolean): JsonSchema {
  const applied: Record<string, JsonSchema> = withApplied ? { applied: 'boolean' } : {};
  return {
    // the SDK's request types have no stripe_balance.payouts (only the response has it); accepted all the same
    recipient: { ...applied, capabilities: { stripe_balance: { stripe_transfers: REQUESTED, payouts: REQUESTED } } },
    merchant: { ...applied, mcc: 'string', capabilities: { card_payments: REQUESTED } },
  };
}
const CREATE: Record<string, JsonSchema> = {
  contact_email: 'string',
  contact_phone: 'string',
  display_name: 'string',
  dashboard: ['express', 'full', 'none'],
  identity: { country: 'string', entity_type: ENTITY_TYPES },
  defaults: { currency: 'string', locales: 'string[]', profile: PROFILE, responsibilities: RESPONSIBILITIES },
  configuration: configurationSchema(false),
  include: 'string[]',
  metadata: 'metadata',
};
const UPDATE: Record<string, JsonSchema> = { ...CREATE, configuration: configurationSchema(true) };

/** What the hosted page asks for before anything is enabled; each entry restricts every requested capability. */
const INITIAL_REQUIREMENTS = ['identity.entity_type', 'identity.individual.given_name', 'identity.individual.surname', 'identity.attestations.terms_of_service.account', 'payout_method'];

const restricted = (): Cap => ({ status: 'restricted', status_details: [{ code: 'requirements_past_due', resolution: 'provide_info' }] });
const active = (): Cap => ({ status: 'active', status_details: [] });

function capabilitiesOf(a: V2Account): Array<{ configuration: ConfigName; capability: CapabilityName; cap: Cap }> {
  const out: Array<{ configuration: ConfigName; capability: CapabilityName; cap: Cap }> = [];
  const r = a.configuration?.recipient;
  if (r?.applied) {
    const sb = r.capabilities?.stripe_balance;
    if (sb?.stripe_transfers) out.push({ configuration: 'recipient', capability: 'stripe_balance.stripe_transfers', cap: sb.stripe_transfers as Cap });
    if (sb?.payouts) out.push({ configuration: 'recipient', capability: 'stripe_balance.payouts', cap: sb.payouts as Cap });
  }
  const m = a.configuration?.merchant;
  if (m?.applied) {
    if (m.capabilities?.card_payments) out.push({ configuration: 'merchant', capability: 'card_payments', cap: m.capabilities.card_payments as Cap });
    if (m.capabilities?.stripe_balance?.payouts) out.push({ configuration: 'merchant', capability: 'stripe_balance.payouts', cap: m.capabilities.stripe_balance.payouts as Cap });
  }
  return out;
}

function entry(description: string, a: V2Account, deadline: 'past_due' | 'currently_due' | 'eventually_due', restricts = true): Stripe.V2.Core.Account.Requirements.Entry {
  return {
    awaiting_action_from: 'user',
    description,
    errors: [],
    impact: {
      restricts_capabilities: restricts ? capabilitiesOf(a).map((c) => ({ capability: c.capability, configuration: c.configuration, deadline: { status: deadline } })) : [],
    },
    minimum_deadline: { status: deadline },
    requested_reasons: [{ code: 'routine_onboarding' }],
  };
}

function requirementsOf(entries: Stripe.V2.Core.Account.Requirements.Entry[]): Stripe.V2.Core.Account.Requirements {
  const order = ['eventually_due', 'currently_due', 'past_due'];
  const worst = entries.reduce<string | null>((w, e) => (w === null || order.indexOf(e.minimum_deadline.status) > order.indexOf(w) ? e.minimum_deadline.status : w), null);
  return { entries, ...(worst ? { summary: { minimum_deadline: { status: worst as 'past_due' } } } : {}) };
}

/** Apply `configuration` from a create/update body: requested capabilities appear, unrequested ones go. */
function applyConfiguration(a: V2Account, body: Json, grant: () => Cap): void {
  a.configuration ??= {};
  const cfg = a.configuration;
  const recipient = at(body, 'configuration', 'recipient');
  if (recipient !== undefined) {
    cfg.recipient ??= { applied: true, capabilities: {} };
    const r = cfg.recipient;
    const applied = at(recipient, 'applied');
    if (typeof applied === 'boolean') r.applied = applied;
    const transfers = at(recipient, 'capabilities', 'stripe_balance', 'stripe_transfers', 'requested');
    const payouts = at(recipient, 'capabilities', 'stripe_balance', 'payouts', 'requested');
    r.capabilities ??= {};
    r.capabilities.stripe_balance ??= {};
    const balance = r.capabilities.stripe_balance;
    if (transfers === true && !balance.stripe_transfers) balance.stripe_transfers = grant();
    if (transfers === false) delete balance.stripe_transfers;
    // Payouts from the Stripe balance come with it (the request types cannot ask for them).
    if ((transfers === true || payouts === true) && !balance.payouts) balance.payouts = grant();
    if (payouts === false) delete balance.payouts;
  }
  const merchant = at(body, 'configuration', 'merchant');
  if (merchant !== undefined) {
    cfg.merchant ??= { applied: true, capabilities: {} };
    const m = cfg.merchant;
    const applied = at(merchant, 'applied');
    if (typeof applied === 'boolean') m.applied = applied;
    const mcc = str(merchant, 'mcc');
    if (mcc) m.mcc = mcc;
    const cards = at(merchant, 'capabilities', 'card_payments', 'requested');
    m.capabilities ??= {};
    const caps = m.capabilities;
    if (cards === true && !caps.card_payments) {
      caps.card_payments = grant();
      caps.stripe_balance ??= { payouts: grant() };
    }
    if (cards === false) delete caps.card_payments;
  }
}

function checkInclude(list: string[]): string[] {
  for (const i of list) if (!(INCLUDABLE as readonly string[]).includes(i)) throw v2ParamError(`include: '${i}' is not one of ${INCLUDABLE.join(', ')}.`);
  return list;
}

/** The Account as the API answers it: configuration, defaults, identity and requirements only when `include`d. */
export function renderV2(a: V2Account, include: string[]): V2Account {
  const { configuration, defaults, identity, requirements, future_requirements, ...base } = a;
  const out: V2Account = { ...structuredClone(base), applied_configurations: appliedConfigurations(a) };
  const parts = (['customer', 'merchant', 'recipient'] as const).filter((c) => include.includes(`configuration.${c}`) && configuration?.[c]);
  if (parts.length) out.configuration = Object.fromEntries(parts.map((c) => [c, structuredClone(configuration?.[c])]));
  if (include.includes('defaults') && defaults) out.defaults = structuredClone(defaults);
  if (include.includes('identity') && identity) out.identity = structuredClone(identity);
  if (include.includes('requirements') && requirements) out.requirements = structuredClone(requirements);
  if (include.includes('future_requirements') && future_requirements) out.future_requirements = structuredClone(future_requirements);
  return out;
}

function appliedConfigurations(a: V2Account): Stripe.V2.Core.Account.AppliedConfiguration[] {
  return (['customer', 'merchant', 'recipient'] as const).filter((c) => a.configuration?.[c]?.applied);
}

/** The v1 Account for a v2 one: Express-like controller from dashboard and responsibilities. */
function v1Form(a: V2Account): FormObject {
  const resp = a.defaults?.responsibilities;
  const dashboard = a.dashboard ?? 'none';
  const form: FormObject = {
    country: a.identity?.country ?? 'US',
    controller: {
      fees: { payer: resp?.fees_collector === 'stripe' ? 'account' : 'application' },
      losses: { payments: resp?.losses_collector ?? 'stripe' },
      requirement_collection: 'stripe',
      stripe_dashboard: { type: dashboard },
    },
  };
  if (a.contact_email) form.email = a.contact_email;
  if (a.defaults?.currency) form.default_currency = a.defaults.currency;
  if (a.display_name) form.business_profile = { name: a.display_name };
  if (a.metadata && Object.keys(a.metadata).length) form.metadata = { ...a.metadata };
  const caps: FormObject = {};
  for (const c of capabilitiesOf(a)) {
    if (c.capability === 'stripe_balance.stripe_transfers') caps.transfers = { requested: 'true' };
    if (c.capability === 'card_payments') caps.card_payments = { requested: 'true' };
  }
  if (Object.keys(caps).length) form.capabilities = caps;
  return form;
}

const V1_STATUS: Record<CapStatus, Stripe.Account.Capabilities['transfers']> = { active: 'active', pending: 'pending', restricted: 'inactive', rejected: 'inactive', unsupported: 'inactive' };

/** Project the v2 view onto the v1 Account (what v1 endpoints check: capabilities, charges/payouts enabled). */
function syncV1(row: Row<Stripe.Account, AccountInternals>): void {
  const a = row.obj;
  const v2 = row.x.v2;
  if (!v2) return;
  a.email = v2.contact_email ?? null;
  a.metadata = { ...(v2.metadata ?? {}) };
  if (a.business_profile) a.business_profile.name = v2.display_name ?? null;
  const caps: Stripe.Account.Capabilities = {};
  let payouts = false;
  for (const c of capabilitiesOf(v2)) {
    if (c.capability === 'stripe_balance.stripe_transfers') caps.transfers = V1_STATUS[c.cap.status];
    if (c.capability === 'card_payments') caps.card_payments = V1_STATUS[c.cap.status];
    if (c.capability === 'stripe_balance.payouts' && c.cap.status === 'active') payouts = true;
  }
  a.capabilities = caps;
  a.charges_enabled = caps.card_payments === 'active';
  a.payouts_enabled = payouts && !!row.x.bank;
}

function accountOfPlatform(sb: Sandbox, id: string): Row<Stripe.Account, AccountInternals> {
  const ctx = sb.ctx!;
  const row = sb.state.accounts.get(id);
  if (!row || row.x.platform !== ctx.platform) throw v2Error(404, 'invalid_request_error', 'resource_missing', `No such account: '${id}'`);
  return row;
}

function v2Row(sb: Sandbox, id: string): Row<Stripe.Account, AccountInternals> & { x: { v2: V2Account } } {
  const row = accountOfPlatform(sb, id);
  if (!row.x.v2)
    throw v2Error(
      400,
      'invalid_request_error',
      'invalid_request',
      `The sandbox reads the v1 account '${id}' through API v2 but does not update it there: update it with POST /v1/accounts/${id}.`,
      false,
    );
  return row as Row<Stripe.Account, AccountInternals> & { x: { v2: V2Account } };
}

/**
 * A v1 account read through API v2 ("You can use the Accounts v2 API with your existing v1
 * Accounts"): a view derived from the v1 one at each read, so v1 changes show at once.
 */
function derivedFromV1(a: Stripe.Account): V2Account {
  const rejected = a.requirements?.disabled_reason?.startsWith('rejected.') ?? false;
  const cap = (status: string | undefined): Cap =>
    rejected
      ? { status: 'rejected', status_details: [{ code: 'rejected_other', resolution: 'no_resolution' }] }
      : status === 'active'
        ? active()
        : status === 'pending'
          ? { status: 'pending', status_details: [{ code: 'requirements_pending_verification', resolution: 'no_resolution' }] }
          : restricted();
  const c = a.controller;
  const dashboard = (c?.stripe_dashboard?.type ?? (a.type === 'express' ? 'express' : a.type === 'standard' ? 'full' : 'none')) as Stripe.V2.Core.Account.Dashboard;
  const view: V2Account = {
    id: a.id,
    object: 'v2.core.account',
    applied_configurations: [],
    created: rfc3339(a.created ?? 0),
    dashboard,
    livemode: false,
    metadata: { ...(a.metadata ?? {}) },
    defaults: {
      currency: a.default_currency,
      responsibilities: {
        fees_collector:
          c?.fees?.payer === 'account' || !c?.fees?.payer
            ? 'stripe'
            : c.fees.payer === 'application_custom'
              ? 'application_custom'
              : c.fees.payer === 'application_express'
                ? 'application_express'
                : 'application',
        losses_collector: c?.losses?.payments === 'application' ? 'application' : 'stripe',
        requirements_collector: c?.requirement_collection === 'application' ? 'application' : 'stripe',
      },
    },
    identity: { country: a.country, ...(a.business_type ? { entity_type: a.business_type } : {}) },
    configuration: {},
  };
  if (a.email) view.contact_email = a.email;
  if (a.business_profile?.name) view.display_name = a.business_profile.name;
  const caps = a.capabilities ?? {};
  if (caps.transfers && view.configuration)
    view.configuration.recipient = { applied: true, capabilities: { stripe_balance: { stripe_transfers: cap(caps.transfers), payouts: cap(a.payouts_enabled ? 'active' : 'inactive') } } };
  if (caps.card_payments && view.configuration) view.configuration.merchant = { applied: true, capabilities: { card_payments: cap(caps.card_payments) } };
  view.applied_configurations = appliedConfigurations(view);
  const r = a.requirements;
  const due = [...new Set([...(r?.currently_due ?? []), ...(r?.eventually_due ?? [])])];
  view.requirements = requirementsOf(
    due.map((d) => {
      const deadline = r?.past_due?.includes(d) ? 'past_due' : r?.currently_due?.includes(d) ? 'currently_due' : 'eventually_due';
      return entry(d, view, deadline, deadline !== 'eventually_due');
    }),
  );
  return view;
}

const related = (id: string): Stripe.V2.Core.Events.RelatedObject => ({ id, type: 'v2.core.account', url: `/v2/core/accounts/${id}` });

/** Thin events for what changed between two v2 views of an account. */
function announce(sb: Sandbox, platform: string, before: V2Account | null, after: V2Account): void {
  const rel = related(after.id);
  if (!before) {
    sb.emitV2('v2.core.account.created', rel, { platform });
    return;
  }
  const topLevel = ['contact_email', 'contact_phone', 'display_name', 'dashboard', 'metadata'] as const;
  if (topLevel.some((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))) sb.emitV2('v2.core.account.updated', rel, { platform });
  if (JSON.stringify(before.requirements) !== JSON.stringify(after.requirements)) sb.emitV2('v2.core.account[requirements].updated', rel, { platform });
  const key = (c: { configuration: string; capability: string }) => `${c.configuration}:${c.capability}`;
  const old = new Map(capabilitiesOf(before).map((c) => [key(c), c.cap.status]));
  const now = new Map(capabilitiesOf(after).map((c) => [key(c), c.cap.status]));
  // a capability whose status changed, one that appeared, and one unrequested (gone from the configuration)
  const changed = [...capabilitiesOf(after).filter((c) => old.get(key(c)) !== c.cap.status), ...capabilitiesOf(before).filter((c) => !now.has(key(c)))];
  for (const c of changed) sb.emitV2(`v2.core.account[configuration.${c.configuration}].capability_status_updated`, rel, { platform, data: { updated_capability: c.capability } });
}

function createAccount(sb: Sandbox, body: Json): V2Account {
  const ctx = sb.ctx!;
  const dashboard = (str(body, 'dashboard') ?? 'none') as Stripe.V2.Core.Account.Dashboard;
  const fees = (str(body, 'defaults', 'responsibilities', 'fees_collector') ?? 'stripe') as Stripe.V2.Core.Account.Defaults.Responsibilities.FeesCollector;
  const losses = (str(body, 'defaults', 'responsibilities', 'losses_collector') ?? 'stripe') as Stripe.V2.Core.Account.Defaults.Responsibilities.LossesCollector;
  if (dashboard === 'full' && (fees !== 'stripe' || losses !== 'stripe'))
    throw v2ParamError('An Account with dashboard `full` must have defaults.responsibilities.fees_collector and losses_collector `stripe`.');
  const a: V2Account = {
    id: newId('acct', 16),
    object: 'v2.core.account',
    applied_configurations: [],
    created: rfc3339(sb.now()),
    dashboard,
    livemode: false,
    metadata: {},
    defaults: { responsibilities: { fees_collector: fees, losses_collector: losses, requirements_collector: 'stripe' } },
    identity: { country: (str(body, 'identity', 'country') ?? 'US').toUpperCase() },
    configuration: {},
  };
  for (const k of ['contact_email', 'contact_phone', 'display_name'] as const) {
    const v = str(body, k);
    if (v !== undefined) a[k] = v;
  }
  const entity = str(body, 'identity', 'entity_type');
  if (entity && a.identity) a.identity.entity_type = entity;
  const currency = str(body, 'defaults', 'currency');
  if (currency && a.defaults) a.defaults.currency = currency.toLowerCase();
  const profile = at(body, 'defaults', 'profile');
  if (profile && a.defaults) a.defaults.profile = structuredClone(profile) as Stripe.V2.Core.Account.Defaults.Profile;
  const meta = at(body, 'metadata');
  if (meta && typeof meta === 'object') for (const [k, v] of Object.entries(meta)) if (typeof v === 'string') (a.metadata as Record<string, string>)[k] = v;
  applyConfiguration(a, body, restricted);
  a.applied_configurations = appliedConfigurations(a);
  a.requirements = requirementsOf(capabilitiesOf(a).length ? INITIAL_REQUIREMENTS.filter((d) => d !== 'identity.entity_type' || !entity).map((d) => entry(d, a, 'past_due')) : []);
  let v1: Stripe.Account;
  try {
    v1 = buildAccount(sb, validate(v1Form(a), V1_CREATE));
  } catch (err) {
    if (err instanceof StripeApiError) throw v2ParamError(err.message);
    throw err;
  }
  v1.id = a.id;
  if (v1.external_accounts) v1.external_accounts.url = `/v1/accounts/${a.id}/external_accounts`;
  const row = sb.state.accounts.insert(v1, ctx.platform, { platform: ctx.platform, bank: null, lastAutoPayout: {}, v2: a });
  syncV1(row);
  announce(sb, ctx.platform, null, a);
  return a;
}

function updateAccount(sb: Sandbox, id: string, body: Json): V2Account {
  const row = v2Row(sb, id);
  const a = row.x.v2;
  const before = structuredClone(a);
  const dashboard = str(body, 'dashboard');
  if (dashboard && dashboard !== a.dashboard) throw v2ParamError('dashboard cannot be changed after the Account is created.');
  for (const k of ['contact_email', 'contact_phone', 'display_name'] as const) {
    if (!(k in body)) continue;
    const v = str(body, k);
    if (v === undefined) delete a[k];
    else a[k] = v;
  }
  const meta = at(body, 'metadata');
  if (meta && typeof meta === 'object') {
    a.metadata ??= {};
    const m = a.metadata as Record<string, string>;
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v === 'string') m[k] = v;
      else delete m[k];
    }
  }
  const country = str(body, 'identity', 'country');
  if (country && a.identity) a.identity.country = country.toUpperCase();
  const entity = str(body, 'identity', 'entity_type');
  if (entity && a.identity) a.identity.entity_type = entity;
  // A capability requested after onboarding is granted when nothing is outstanding, as v1 does here.
  const onboarded = row.obj.details_submitted && (a.requirements?.entries ?? []).length === 0;
  applyConfiguration(a, body, onboarded ? active : restricted);
  a.applied_configurations = appliedConfigurations(a);
  if (!onboarded && a.requirements?.entries?.length) a.requirements = requirementsOf(a.requirements.entries.map((e) => entry(e.description, a, e.minimum_deadline.status)));
  syncV1(row);
  announce(sb, row.x.platform, before, a);
  return a;
}

/**
 * What the hosted page does for an account created through v2: the v1 outcome (bank account, v1
 * capabilities and requirements, v1 connect events), then the v2 view (capabilities active and
 * requirements empty on `complete`) and its thin events.
 */
export function completeOnboardingV2(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, outcome: OnboardingOutcome, accountNumber: string, routingNumber: string): void {
  completeOnboarding(sb, row, outcome, accountNumber, routingNumber);
  if (row.x.v2?.identity) row.x.v2.identity.entity_type ??= 'individual';
  applyV2Outcome(sb, row, outcome);
}

/** Stripe's verification of a `pending` account ends (control API): both views, v1 and thin events. */
export function finishVerification(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, verified: boolean): void {
  const outcome: AccountOutcome = verified ? 'complete' : 'verification_failed';
  setAccountOutcome(sb, row, outcome);
  applyV2Outcome(sb, row, outcome);
}

function applyV2Outcome(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, outcome: AccountOutcome): void {
  const a = row.x.v2;
  if (!a) return;
  const before = structuredClone(a);
  const caps = capabilitiesOf(a);
  const every = (cap: () => Cap) => {
    for (const c of caps) Object.assign(c.cap, cap());
  };
  const document = `identity.${PENDING_DOCUMENT}`;
  if (outcome === 'complete') {
    every(active);
    a.requirements = requirementsOf([]);
    if (!row.x.bank) {
      for (const c of caps) if (c.capability === 'stripe_balance.payouts') Object.assign(c.cap, restricted());
      a.requirements = requirementsOf([entry('payout_method', a, 'past_due')]);
      for (const e of a.requirements.entries ?? []) e.impact.restricts_capabilities = (e.impact.restricts_capabilities ?? []).filter((r) => r.capability === 'stripe_balance.payouts');
    }
  } else if (outcome === 'requirements_due') {
    every(restricted);
    a.requirements = requirementsOf([entry(document, a, 'past_due'), entry('identity.individual.id_number', a, 'eventually_due', false)]);
  } else if (outcome === 'pending') {
    every(() => ({ status: 'pending', status_details: [{ code: 'requirements_pending_verification', resolution: 'no_resolution' }] }));
    a.requirements = requirementsOf([{ ...entry(document, a, 'currently_due'), awaiting_action_from: 'stripe' }]);
  } else if (outcome === 'verification_failed') {
    every(restricted);
    a.requirements = requirementsOf([{ ...entry(document, a, 'past_due'), errors: [{ code: 'verification_failed_other', description: 'The document could not be verified.' }] }]);
  } else {
    every(() => ({ status: 'rejected', status_details: [{ code: 'rejected_other', resolution: 'no_resolution' }] }));
    a.requirements = requirementsOf([]);
  }
  syncV1(row);
  announce(sb, row.x.platform, before, a);
}

/** The seller came back through a v2 Account Link's return_url: `v2.core.account_link.returned` (no related object). */
export function accountLinkReturned(sb: Sandbox, row: Row<Stripe.Account, AccountInternals>, useCase: string): void {
  const view = row.x.v2 ?? derivedFromV1(row.obj);
  sb.emitV2('v2.core.account_link.returned', null, { platform: row.x.platform, data: { account_id: row.obj.id, configurations: appliedConfigurations(view), use_case: useCase } });
}

export function registerAccountsV2(router: Router): void {
  router.add('POST', '/v2/core/accounts', (sb, r) => {
    if (r.ctx.connected) throw v2Error(400, 'invalid_request_error', 'invalid_request', 'Connected accounts cannot create accounts.', false);
    const body = checkJson(r.json, CREATE);
    const include = checkInclude(includes(body.include));
    return renderV2(createAccount(sb, body), include);
  });
  router.add('GET', '/v2/core/accounts', (sb, r) => {
    // newest first; v1 accounts appear as their derived v2 view
    const wanted = includes(r.form.applied_configurations);
    for (const c of wanted) if (!['customer', 'merchant', 'recipient'].includes(c)) throw v2ParamError(`applied_configurations: '${c}' is not one of customer, merchant, recipient.`);
    if (r.form.closed === 'true') return v2Page([], r.form, '/v2/core/accounts', [['closed', 'true']]);
    const all = sb.state.accounts
      .owned(r.ctx.platform)
      .map((row) => row.x.v2 ?? derivedFromV1(row.obj))
      .filter((a) => wanted.every((c) => appliedConfigurations(a).includes(c as ConfigName)))
      .reverse()
      .map((a) => renderV2(a, []));
    return v2Page(
      all,
      r.form,
      '/v2/core/accounts',
      wanted.map((c, i): [string, string] => [`applied_configurations[${i}]`, c]),
    );
  });
  router.add('GET', '/v2/core/accounts/:id', (sb, r) => {
    const include = checkInclude(includes(r.form.include));
    const row = accountOfPlatform(sb, r.pathParams.id);
    return renderV2(row.x.v2 ?? derivedFromV1(row.obj), include);
  });
  router.add('POST', '/v2/core/accounts/:id', (sb, r) => {
    const body = checkJson(r.json, UPDATE);
    const include = checkInclude(includes(body.include));
    return renderV2(updateAccount(sb, r.pathParams.id, body), include);
  });
  router.add('POST', '/v2/core/account_links', (sb, r) => {
    const body = r.json as Json;
    // API version 2026-09-30.endive removed `configurations` ("those requests fail"): Stripe decides what to onboard.
    for (const useCase of ['account_onboarding', 'account_update'])
      if (at(body, 'use_case', useCase, 'configurations') !== undefined)
        throw v2ParamError(
          `Received unknown parameter: use_case.${useCase}.configurations (removed in API version 2026-09-30.endive: Stripe determines which configurations to onboard).`,
          'parameter_unknown',
        );
    const caseSchema: JsonSchema = { collection_options: { fields: ['currently_due', 'eventually_due'], future_requirements: ['include', 'omit'] }, refresh_url: 'string', return_url: 'string' };
    checkJson(body, { account: 'string', use_case: { type: ['account_onboarding', 'account_update'], account_onboarding: caseSchema, account_update: caseSchema } });
    const account = str(body, 'account');
    const type = str(body, 'use_case', 'type');
    if (!account) throw v2ParamError('account is required.', 'parameter_missing');
    if (!type) throw v2ParamError('use_case.type is required.', 'parameter_missing');
    const details = at(body, 'use_case', type) as Json | undefined;
    const refreshUrl = str(details, 'refresh_url');
    if (!refreshUrl) throw v2ParamError(`use_case.${type}.refresh_url is required.`, 'parameter_missing');
    const row = sb.state.accounts.get(account);
    if (!row || row.x.platform !== r.ctx.platform) throw v2Error(404, 'invalid_request_error', 'resource_missing', `No such account: '${account}'`);
    const token = newId('acctlink', 20);
    const now = sb.now();
    const expiresAt = now + 300;
    sb.state.accountLinks.insert({ id: token, object: 'account_link', created: now, expires_at: expiresAt, url: `${sb.config.baseUrl}/_sandbox/onboarding/${token}` }, r.ctx.platform, {
      token,
      used: false,
      type,
      account,
      refreshUrl,
      returnUrl: str(details, 'return_url') ?? null,
      v2: true,
    });
    const link: Stripe.V2.Core.AccountLink = {
      object: 'v2.core.account_link',
      account,
      created: rfc3339(now),
      expires_at: rfc3339(expiresAt),
      livemode: false,
      url: `${sb.config.baseUrl}/_sandbox/onboarding/${token}`,
      use_case: { type, [type]: structuredClone(details) },
    };
    return link;
  });
}
