import type Stripe from 'stripe';
import { createHash } from 'node:crypto';
import { SandboxClock } from '../core/clock.js';
import { IdempotencyStore } from '../core/idempotency.js';
import { newId } from '../core/ids.js';
import { type ProcessingFee } from '../core/money.js';
import { convert, invert, parseRate, rateNumber, type Rate } from '../core/fx.js';
import { invalidRequest } from '../http/errors.js';
import { WebhookDispatcher, type DeliveryTarget } from '../webhooks/delivery.js';
import { SandboxRandom } from '../core/random.js';
import { SandboxState } from './state.js';
import type { PermissionMap, RestrictedKeyRecord } from './restricted-keys.js';

export const API_VERSION = '2026-10-28.endive';
export const DAY = 86_400;

export interface WebhookEndpointConfig {
  url: string;
  secret?: string;
  connect?: boolean;
  enabledEvents?: string[];
}

/** An event destination configured at start (SANDBOX_EVENT_DESTINATIONS): thin events to a webhook URL. */
export interface EventDestinationConfig {
  url: string;
  secret?: string;
  /** v2 event types (default: every v2.core.account event the sandbox sends) */
  enabledEvents?: string[];
}

/** The thin events the sandbox sends (v2 accounts); an event destination without a list gets these. */
export const V2_ACCOUNT_EVENT_TYPES = [
  'v2.core.account.created',
  'v2.core.account.updated',
  'v2.core.account[requirements].updated',
  'v2.core.account[configuration.recipient].capability_status_updated',
  'v2.core.account[configuration.merchant].capability_status_updated',
] as const;

export interface SandboxConfig {
  baseUrl: string;
  processingFee: ProcessingFee;
  /** Stripe's dispute fee, debited from the platform with the disputed amount */
  disputeFee: number;
  /** seconds until card funds become available (Stripe test mode: about two days) */
  availableAfter: number;
  /** manual payouts: seconds until arrival; in_transit halfway */
  payoutArrival: number;
  webhookRetry: { maxAttempts: number; baseDelayMs: number; timeoutMs: number };
  /** default settlement currency of a platform */
  settlementCurrency: string;
  /** the exchange-rate table the sandbox starts with (and returns to on reset) */
  exchangeRates: Record<string, Record<string, string>>;
}

/**
 * The sandbox's default exchange rates (units of `to` per unit of `from`), fixed so tests are
 * reproducible; a pair missing one way uses the exact inverse of the other. Change them with
 * POST /_sandbox/exchange_rates.
 */
export const DEFAULT_EXCHANGE_RATES: Record<string, Record<string, string>> = {
  eur: { usd: '1.08', gbp: '0.85' },
  gbp: { usd: '1.27' },
  cad: { usd: '0.73' },
  aud: { usd: '0.66' },
  usd: { jpy: '150' },
};

/** An amount as it lands on a balance: in the account's settlement currency, with the rate used. */
export interface Settled {
  amount: number;
  currency: string;
  exchangeRate: number | null;
}

export interface RequestContext {
  apiKey: string;
  platform: string;
  /** the account the request acts on: the platform, or the Stripe-Account header's account */
  account: string;
  connected: boolean;
  requestId: string;
  idempotencyKey: string | null;
  /** set when the request is made with a restricted key */
  restricted?: RestrictedKeyRecord;
}

// One member per event type: `{ type, data: { object, previous_attributes? } }`, checked by the compiler.
export type EventBody = Stripe.Event extends infer E ? (E extends Stripe.Event ? Pick<E, 'type' | 'data'> : never) : never;

type TickHook = (now: number, isDayStart: boolean) => void;
type WakeHook = (after: number) => number | null;

export class Sandbox {
  readonly state = new SandboxState();
  readonly idempotency = new IdempotencyStore();
  readonly dispatcher: WebhookDispatcher;
  readonly configuredEndpoints: Array<Required<WebhookEndpointConfig> & { id: string }>;
  readonly configuredDestinations: Array<Required<EventDestinationConfig> & { id: string }>;
  ctx: RequestContext | null = null;
  /** How many of the next refunds stay `pending` (POST /_sandbox/refunds/hold) until succeeded or failed by the control API. */
  refundsToHold = 0;
  private tickHooks: TickHook[] = [];
  private wakeHooks: WakeHook[] = [];
  /** accounts (platforms or connected) whose balance gained available funds since the last `balance.available` */
  private fundsBecameAvailable = new Set<string>();
  onChange: () => void = () => {};

  constructor(
    readonly config: SandboxConfig,
    readonly clock: SandboxClock,
    endpoints: WebhookEndpointConfig[],
    destinations: EventDestinationConfig[] = [],
    /** the sandbox's randomness (fault fractions, webhook shuffles): seeded, a run draws alike */
    readonly random: SandboxRandom = new SandboxRandom(),
  ) {
    this.configuredDestinations = destinations.map((d, i) => ({
      id: `ed_env_${i}`,
      url: d.url,
      secret: d.secret ?? `whsec_${createHash('sha256').update(`thin:${d.url}`).digest('hex').slice(0, 32)}`,
      enabledEvents: d.enabledEvents ?? [...V2_ACCOUNT_EVENT_TYPES],
    }));
    this.configuredEndpoints = endpoints.map((e, i) => ({
      id: `we_env_${i}`,
      url: e.url,
      secret: e.secret ?? `whsec_${createHash('sha256').update(e.url).digest('hex').slice(0, 32)}`,
      connect: e.connect ?? false,
      enabledEvents: e.enabledEvents ?? ['*'],
    }));
    this.dispatcher = new WebhookDispatcher({
      ...config.webhookRetry,
      random,
      onOutcome: (eventId, _endpoint, ok) => {
        const row = this.state.events.get(eventId);
        if (row && ok) {
          row.x.pending = Math.max(0, row.x.pending - 1);
          row.obj.pending_webhooks = row.x.pending;
          this.onChange();
        }
      },
    });
    this.setExchangeRates(config.exchangeRates);
    // Funds becoming available is a due moment of its own: the clock stops at each available_on.
    this.onTick(
      () => this.settleTransactions(),
      (after) => {
        let next: number | null = null;
        for (const row of this.state.balanceTransactions.all()) {
          const t = row.obj.available_on;
          if (row.obj.status === 'pending' && t > after && (next === null || t < next)) next = t;
        }
        return next;
      },
    );
  }

  now(): number {
    return this.clock.now();
  }

  /** Each distinct secret key is its own platform. */
  platformFor(apiKey: string): string {
    let p = this.state.platforms.get(apiKey);
    if (!p) {
      const id = `acct_${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
      p = { id, keyHint: apiKey.slice(-4) };
      this.state.platforms.set(apiKey, p);
    }
    return p.id;
  }

  /** A restricted key for `secretKey`'s platform holding `permissions` (and `connect`: on its connected accounts). */
  createRestrictedKey(secretKey: string, permissions: PermissionMap, connect: PermissionMap = {}): string {
    const key = newId('rk_test', 32);
    const platform = this.platformFor(secretKey);
    this.state.restrictedKeys.set(key, { secretKey, platform, permissions: { ...permissions }, connect: { ...connect }, created: this.now() });
    return key;
  }

  /** The currency a platform's balance settles in (Stripe: its default currency). */
  settlementCurrency(platform: string): string {
    return this.state.settlementCurrencies.get(platform) ?? this.config.settlementCurrency;
  }

  /** Merge `{ from: { to: "rate" } }` into the table; every rate is validated first. */
  setExchangeRates(table: Record<string, Record<string, string>>): void {
    const parsed: Array<[string, string]> = [];
    for (const [from, row] of Object.entries(table)) {
      if (!/^[a-z]{3}$/i.test(from) || !row || typeof row !== 'object') throw new Error(`exchange rates: ${JSON.stringify(from)} must be a currency code mapping to { currency: "rate" }`);
      for (const [to, text] of Object.entries(row)) {
        if (!/^[a-z]{3}$/i.test(to)) throw new Error(`exchange rates: ${JSON.stringify(to)} is not a currency code`);
        if (typeof text !== 'string') throw new Error(`exchange rates: ${from}->${to} must be a decimal string such as "1.08" (not a JSON number: rates are exact)`);
        parseRate(text);
        parsed.push([`${from.toLowerCase()}:${to.toLowerCase()}`, text.trim()]);
      }
    }
    for (const [k, v] of parsed) this.state.exchangeRates.set(k, v);
  }

  exchangeRateTable(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [k, v] of this.state.exchangeRates) {
      const [from, to] = k.split(':');
      out[from] ??= {};
      out[from][to] = v;
    }
    return out;
  }

  rate(from: string, to: string): Rate | null {
    const direct = this.state.exchangeRates.get(`${from}:${to}`);
    if (direct) return parseRate(direct);
    const reverse = this.state.exchangeRates.get(`${to}:${from}`);
    return reverse ? invert(parseRate(reverse)) : null;
  }

  /**
   * `amount` of `currency` as it settles on `platform`'s balance: unchanged in the settlement
   * currency, else converted at the table's current rate (integer arithmetic) with `exchangeRate`.
   */
  toSettlement(platform: string, amount: number, currency: string): Settled {
    const to = this.settlementCurrency(platform);
    if (currency === to) return { amount, currency, exchangeRate: null };
    const rate = this.rate(currency, to);
    if (!rate) throw invalidRequest(`The sandbox has no exchange rate from ${currency} to ${to} (this platform's settlement currency). Set one with POST /_sandbox/exchange_rates.`, 'currency');
    return { amount: convert(amount, rate, currency, to), currency: to, exchangeRate: rateNumber(rate) };
  }

  platformIds(): string[] {
    return [...this.state.platforms.values()].map((p) => p.id);
  }

  onTick(hook: TickHook, wake: WakeHook): void {
    this.tickHooks.push(hook);
    this.wakeHooks.push(wake);
  }

  /**
   * Move sandbox time forward, stopping at every moment something is due (funds available,
   * payouts moving, the start of each day for automatic payouts) so effects happen in order.
   */
  advance(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('seconds must be a non-negative number');
    const target = this.now() + Math.floor(seconds);
    for (let guard = 0; guard < 100_000; guard++) {
      const now = this.now();
      const nextDay = (Math.floor(now / DAY) + 1) * DAY;
      let next = Math.min(target, nextDay);
      for (const wake of this.wakeHooks) {
        const t = wake(now);
        if (t !== null && t > now && t < next) next = t;
      }
      if (next <= now) break;
      this.clock.set(next);
      this.tick(next % DAY === 0);
      if (next >= target) break;
    }
    this.idempotency.purgeExpired(this.now());
    this.onChange();
    return this.now();
  }

  tick(isDayStart = false): void {
    for (const hook of this.tickHooks) hook(this.now(), isDayStart);
    this.flushBalanceAvailable();
  }

  /** Record an event (snapshotting the object) and queue its webhook deliveries. */
  emit(body: EventBody, opts: { platform: string; account?: string | null }): void {
    const snapshot = structuredClone(body);
    const event: Stripe.Event = {
      ...snapshot,
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      livemode: false,
      pending_webhooks: 0,
      request: { id: this.ctx?.requestId ?? null, idempotency_key: this.ctx?.idempotencyKey ?? null },
    };
    if (opts.account) event.account = opts.account;
    const targets = this.targetsFor(event.type, opts.platform, !!opts.account);
    event.pending_webhooks = targets.length;
    this.state.events.insert(event, opts.account ?? opts.platform, { platform: opts.platform, pending: targets.length });
    if (targets.length) this.dispatcher.enqueue(event.id, event.type, JSON.stringify(event, null, 2), targets);
  }

  /**
   * Record a v2 event (GET /v2/core/events/:id answers it whole) and deliver its thin payload
   * ("id, object, type, created, livemode, related_object, context": no object snapshot) to the
   * platform's event destinations that enabled the type, signed like webhook deliveries.
   */
  emitV2(type: string, related: Stripe.V2.Core.Events.RelatedObject | null, opts: { platform: string; data?: Record<string, unknown>; onlyDestination?: string }): Stripe.V2.Core.Event {
    const created = new Date(this.now() * 1000).toISOString();
    const ctx = this.ctx;
    const thin = {
      id: newId('evt_test', 24),
      object: 'v2.core.event' as const,
      type,
      created,
      livemode: false,
      ...(related ? { related_object: related } : {}),
      ...(ctx ? { reason: { type: 'request' as const, request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey ?? '' } } } : {}),
    };
    const event = { ...thin, ...(opts.data ? { data: opts.data } : {}) } as unknown as Stripe.V2.Core.Event;
    this.state.v2Events.insert(event, opts.platform, { platform: opts.platform });
    // a ping goes to its destination alone, whatever it enabled
    const only = opts.onlyDestination;
    const matches = (id: string, enabled: string[]) => (only ? id === only : enabled.includes('*') || enabled.includes(type));
    const targets: DeliveryTarget[] = [];
    for (const d of this.configuredDestinations) if (matches(d.id, d.enabledEvents)) targets.push({ endpointId: d.id, url: d.url, secret: d.secret });
    for (const row of this.state.eventDestinations.owned(opts.platform)) {
      const d = row.obj;
      if (d.status === 'enabled' && d.event_payload === 'thin' && d.webhook_endpoint?.url && matches(d.id, d.enabled_events))
        targets.push({ endpointId: d.id, url: d.webhook_endpoint.url, secret: row.x.secret });
    }
    if (targets.length) this.dispatcher.enqueue(thin.id, type, JSON.stringify(thin, null, 2), targets);
    return event;
  }

  private targetsFor(type: string, platform: string, connectEvent: boolean): DeliveryTarget[] {
    const matches = (enabled: string[]) => enabled.includes('*') || enabled.includes(type);
    const out: DeliveryTarget[] = [];
    for (const e of this.configuredEndpoints) if (e.connect === connectEvent && matches(e.enabledEvents)) out.push({ endpointId: e.id, url: e.url, secret: e.secret });
    for (const row of this.state.webhookEndpoints.owned(platform)) {
      const we = row.obj;
      if (we.status === 'enabled' && row.x.connect === connectEvent && matches(we.enabled_events)) out.push({ endpointId: we.id, url: we.url, secret: row.x.secret });
    }
    return out;
  }

  // ---- ledger ----

  addTxn(
    owner: string,
    t: {
      amount: number;
      currency: string;
      type: Stripe.BalanceTransaction.Type;
      reportingCategory: string;
      source: string;
      availableOn?: number;
      fee?: number;
      feeDetails?: Stripe.BalanceTransaction.FeeDetail[];
      description?: string | null;
      exchangeRate?: number | null;
    },
  ): Stripe.BalanceTransaction {
    const now = this.now();
    const availableOn = t.availableOn ?? now;
    const fee = t.fee ?? 0;
    const txn: Stripe.BalanceTransaction = {
      id: newId('txn'),
      object: 'balance_transaction',
      amount: t.amount,
      available_on: availableOn,
      balance_type: 'payments',
      created: now,
      currency: t.currency,
      description: t.description ?? null,
      exchange_rate: t.exchangeRate ?? null,
      fee,
      fee_details: t.feeDetails ?? [],
      net: t.amount - fee,
      reporting_category: t.reportingCategory,
      source: t.source,
      status: availableOn <= now ? 'available' : 'pending',
      type: t.type,
    };
    this.state.balanceTransactions.insert(txn, owner, { payout: null });
    if (txn.status === 'available' && txn.amount > 0) this.fundsBecameAvailable.add(owner);
    return txn;
  }

  balance(owner: string): Stripe.Balance {
    const now = this.now();
    const available = new Map<string, number>();
    const pending = new Map<string, number>();
    for (const row of this.state.balanceTransactions.owned(owner)) {
      const t = row.obj;
      const bucket = t.available_on <= now ? available : pending;
      bucket.set(t.currency, (bucket.get(t.currency) ?? 0) + t.net);
      if (!available.has(t.currency)) available.set(t.currency, 0);
      if (!pending.has(t.currency)) pending.set(t.currency, 0);
    }
    if (available.size === 0) {
      available.set('usd', 0);
      pending.set('usd', 0);
    }
    const list = (m: Map<string, number>) => [...m].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    return { object: 'balance', available: list(available), pending: list(pending), livemode: false };
  }

  available(owner: string, currency: string): number {
    const now = this.now();
    let sum = 0;
    for (const row of this.state.balanceTransactions.owned(owner)) if (row.obj.currency === currency && row.obj.available_on <= now) sum += row.obj.net;
    return sum;
  }

  /** Flip pending balance transactions whose available_on has come. */
  settleTransactions(): void {
    const now = this.now();
    for (const row of this.state.balanceTransactions.all())
      if (row.obj.status === 'pending' && row.obj.available_on <= now) {
        row.obj.status = 'available';
        if (row.obj.amount > 0) this.fundsBecameAvailable.add(row.owner);
      }
    this.flushBalanceAvailable();
  }

  /**
   * `balance.available`, once per account, for every account whose balance gained available funds
   * (a pending transaction reaching available_on, or one available at once: an immediate transfer,
   * a pm_card_bypassPending charge, a reversal or refund credited to it). Stripe: "Occurs whenever
   * your Stripe balance has been updated ... This event is not fired for negative transactions."
   * The object is the account's Balance, as GET /v1/balance answers; connected accounts' events
   * carry `account`.
   */
  flushBalanceAvailable(): void {
    if (this.fundsBecameAvailable.size === 0) return;
    const owners = [...this.fundsBecameAvailable];
    this.fundsBecameAvailable.clear();
    for (const owner of owners) {
      const acct = this.state.accounts.get(owner);
      const target = acct ? { platform: acct.x.platform, account: owner } : { platform: owner, account: null };
      this.emit({ type: 'balance.available', data: { object: this.balance(owner) } }, target);
    }
  }

  reset(): void {
    this.fundsBecameAvailable.clear();
    for (const table of Object.values(this.state.tables())) table.clear();
    this.state.platforms.clear();
    this.state.restrictedKeys.clear();
    this.state.settlementCurrencies.clear();
    this.state.exchangeRates.clear();
    this.setExchangeRates(this.config.exchangeRates);
    this.idempotency.clear();
    this.dispatcher.reset();
    this.onChange();
  }
}
