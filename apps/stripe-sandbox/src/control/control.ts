import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import type { Sandbox } from '../engine/sandbox.js';
import { StripeApiError } from '../http/errors.js';
import { FAULT_KINDS, type FaultInjector, type FaultInput, type FaultKind, type FaultRule, type FiredFault } from '../http/faults.js';
import { isRandomSeed } from '../core/random.js';
import { parseForm } from '../http/form.js';
import type { RequestMeter, RequestStats } from '../http/request-meter.js';
import { sendJson } from '../http/server.js';
import { checkoutPage, dashboardPage, onboardingPage } from '../pages/pages.js';
import { createDispute, closeDispute, escalateInquiry, type DisputeOutcome } from '../resources/disputes.js';
import { REFUND_FAILURE_REASONS, failRefund, succeedRefund } from '../resources/payments.js';
import { failPayout } from '../resources/payouts.js';
import { finishVerification } from '../resources/accounts-v2.js';
import type { WebhookFaults } from '../webhooks/delivery.js';
import { PERMISSION_RESOURCES, isPermissionLevel, isPermissionName, type PermissionMap } from '../engine/restricted-keys.js';
import { seedBalanceHistory, type SeededHistory } from '../engine/seed.js';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The control API, callable in-process (tests) or over HTTP under /_sandbox. */
export class SandboxControl {
  constructor(
    private readonly sb: Sandbox,
    readonly faults: FaultInjector,
    private readonly meter: RequestMeter,
  ) {}

  /** Requests per second as they arrived (`key`: total, a resource like `/v1/transfers`, or an operation). */
  requestStats(opts: { windowSeconds?: number; key?: string } = {}): RequestStats {
    const w = opts.windowSeconds ?? 60;
    if (!Number.isInteger(w) || w < 1 || w > 600) throw new ControlError(400, '`window` must be a whole number of seconds from 1 to 600');
    return this.meter.stats(w, opts.key ?? 'total');
  }

  resetRequestStats(): void {
    this.meter.reset();
  }

  now(): number {
    return this.sb.now();
  }

  advance(seconds: number): number {
    if (!Number.isInteger(seconds) || seconds < 0) throw new ControlError(400, '`seconds` must be a non-negative integer');
    return this.sb.advance(seconds);
  }

  dispute(chargeId: string, opts: { reason?: string; amount?: number } = {}): Stripe.Dispute {
    const row = this.sb.state.charges.get(chargeId);
    if (!row || !chargeId.startsWith('ch_')) throw new ControlError(404, `No such charge: '${chargeId}'`);
    return this.run(() => createDispute(this.sb, row, opts.reason ?? 'fraudulent', opts.amount ?? row.obj.amount - row.obj.amount_refunded));
  }

  /** An inquiry (warning_needs_response): no funds withdrawn until it is escalated. */
  inquiry(chargeId: string, opts: { reason?: string; amount?: number } = {}): Stripe.Dispute {
    const row = this.sb.state.charges.get(chargeId);
    if (!row || !chargeId.startsWith('ch_')) throw new ControlError(404, `No such charge: '${chargeId}'`);
    return this.run(() => createDispute(this.sb, row, opts.reason ?? 'general', opts.amount ?? row.obj.amount - row.obj.amount_refunded, { inquiry: true }));
  }

  escalate(disputeId: string): Stripe.Dispute {
    const row = this.sb.state.disputes.get(disputeId);
    if (!row) throw new ControlError(404, `No such dispute: '${disputeId}'`);
    return this.run(() => escalateInquiry(this.sb, row));
  }

  closeDispute(disputeId: string, outcome: DisputeOutcome): Stripe.Dispute {
    if (outcome !== 'won' && outcome !== 'lost' && outcome !== 'warning_closed') throw new ControlError(400, '`outcome` must be won, lost (a chargeback) or warning_closed (an inquiry)');
    const row = this.sb.state.disputes.get(disputeId);
    if (!row) throw new ControlError(404, `No such dispute: '${disputeId}'`);
    return this.run(() => closeDispute(this.sb, row, outcome));
  }

  /** Merge rates into the table (`{ eur: { usd: "1.08" } }`: units of usd per eur); answers the whole table. */
  setExchangeRates(table: unknown): Record<string, Record<string, string>> {
    if (!table || typeof table !== 'object' || Array.isArray(table)) throw new ControlError(400, 'body must be { "from": { "to": "decimal rate" } }');
    try {
      this.sb.setExchangeRates(table as Record<string, Record<string, string>>);
    } catch (err) {
      throw new ControlError(400, err instanceof Error ? err.message : String(err));
    }
    this.sb.onChange();
    return this.sb.exchangeRateTable();
  }

  exchangeRates(): Record<string, Record<string, string>> {
    return this.sb.exchangeRateTable();
  }

  /** The currency a platform (its account id, as GET /v1/account answers) settles in. */
  setSettlementCurrency(platform: string, currency: unknown): { platform: string; settlement_currency: string } {
    if (!this.sb.platformIds().includes(platform)) throw new ControlError(404, `No such platform: '${platform}' (a platform exists once its key has made a request)`);
    if (typeof currency !== 'string' || !/^[a-z]{3}$/i.test(currency)) throw new ControlError(400, '`currency` must be a three-letter currency code');
    this.sb.state.settlementCurrencies.set(platform, currency.toLowerCase());
    this.sb.onChange();
    return { platform, settlement_currency: currency.toLowerCase() };
  }

  /** Stripe ends its verification of an account left `pending` on the hosted page: verified or failed. */
  finishVerification(accountId: string, outcome: unknown): Stripe.Account {
    const row = this.sb.state.accounts.get(accountId);
    if (!row) throw new ControlError(404, `No such account: '${accountId}'`);
    if (outcome !== 'verified' && outcome !== 'failed') throw new ControlError(400, '`outcome` must be verified or failed');
    if (row.obj.requirements?.disabled_reason !== 'requirements.pending_verification')
      throw new ControlError(400, `Account ${accountId} is not waiting for verification (choose "pending" on the hosted onboarding page first)`);
    this.run(() => finishVerification(this.sb, row, outcome === 'verified'));
    return row.obj;
  }

  /**
   * A restricted key (rk_test_...) for the platform of `secretKey` (an sk_test_ key), holding
   * `permissions` on the platform's own account and `connect` on its connected accounts (requests
   * with Stripe-Account); every resource left out is None.
   */
  createRestrictedKey(input: { secretKey: unknown; permissions?: unknown; connect?: unknown }): {
    id: string;
    secret_key_hint: string;
    platform: string;
    permissions: PermissionMap;
    connect: PermissionMap;
  } {
    const secretKey = input.secretKey;
    if (typeof secretKey !== 'string' || !/^sk_test_\S+$/.test(secretKey)) throw new ControlError(400, "`secret_key` must be the platform's test secret key (sk_test_...)");
    const permissions = permissionMap(input.permissions, 'permissions');
    const connect = permissionMap(input.connect, 'connect');
    const id = this.sb.createRestrictedKey(secretKey, permissions, connect);
    this.sb.onChange();
    return { id, secret_key_hint: secretKey.slice(-4), platform: this.sb.platformFor(secretKey), permissions, connect };
  }

  /**
   * `transactions` past card charges on a balance (a connected account's, or a platform's by its
   * account id; the only platform's when left out), paid out by `payouts` automatic payouts, each
   * carrying its share: no events, no webhooks. For benchmarks.
   */
  seedBalanceHistory(input: { account?: unknown; transactions: unknown; payouts?: unknown; currency?: unknown }): SeededHistory {
    const transactions = input.transactions;
    const payouts = input.payouts ?? 0;
    if (!Number.isSafeInteger(transactions) || (transactions as number) < 0 || (transactions as number) > 10_000_000)
      throw new ControlError(400, '`transactions` must be a whole number from 0 to 10000000');
    if (!Number.isSafeInteger(payouts) || (payouts as number) < 0 || (payouts as number) > 100_000) throw new ControlError(400, '`payouts` must be a whole number from 0 to 100000');
    if ((payouts as number) > (transactions as number)) throw new ControlError(400, '`payouts` cannot exceed `transactions` (each payout carries at least one charge)');
    const owner = this.balanceOwner(input.account);
    const currency = input.currency ?? this.sb.settlementCurrency(this.sb.state.accounts.get(owner)?.x.platform ?? owner);
    if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency)) throw new ControlError(400, '`currency` must be a lowercase three-letter currency code');
    const seeded = seedBalanceHistory(this.sb, owner, transactions as number, payouts as number, currency);
    this.sb.onChange();
    return seeded;
  }

  private balanceOwner(account: unknown): string {
    const platforms = this.sb.platformIds();
    if (account === undefined) {
      if (platforms.length !== 1) throw new ControlError(400, `\`account\` is required: ${platforms.length} platforms exist (pass a platform's account id or a connected account's)`);
      return platforms[0]!;
    }
    if (typeof account !== 'string') throw new ControlError(400, '`account` must be an account id');
    if (platforms.includes(account) || this.sb.state.accounts.get(account)) return account;
    throw new ControlError(404, `No such account: '${account}'`);
  }

  failPayout(payoutId: string, failureCode = 'account_closed'): Stripe.Payout {
    const row = this.sb.state.payouts.get(payoutId);
    if (!row) throw new ControlError(404, `No such payout: '${payoutId}'`);
    this.run(() => failPayout(this.sb, row, failureCode));
    return row.obj;
  }

  /** The next `count` refunds stay pending until succeedRefund / failRefund. */
  holdRefunds(count: number): { held: number } {
    if (!Number.isSafeInteger(count) || count < 0 || count > 1000) throw new ControlError(400, '`count` must be a whole number from 0 to 1000');
    this.sb.refundsToHold = count;
    return { held: count };
  }

  succeedRefund(refundId: string): Stripe.Refund {
    const row = this.sb.state.refunds.get(refundId);
    if (!row || !refundId.startsWith('re_')) throw new ControlError(404, `No such refund: '${refundId}'`);
    return this.run(() => succeedRefund(this.sb, row));
  }

  failRefund(refundId: string, failureReason = 'expired_or_canceled_card'): Stripe.Refund {
    if (!(REFUND_FAILURE_REASONS as readonly string[]).includes(failureReason)) throw new ControlError(400, `\`failure_reason\` must be one of ${REFUND_FAILURE_REASONS.join(', ')}`);
    const row = this.sb.state.refunds.get(refundId);
    if (!row || !refundId.startsWith('re_')) throw new ControlError(404, `No such refund: '${refundId}'`);
    return this.run(() => failRefund(this.sb, row, failureReason));
  }

  /** Seeds the sandbox's randomness (fault fractions, webhook shuffles); null: Math.random again. */
  seedRandom(seed: unknown): { seed: number | null } {
    if (seed !== null && !isRandomSeed(seed)) throw new ControlError(400, '`seed` must be an integer from 0 to 4294967295 (or null)');
    this.sb.random.seed(seed);
    return { seed };
  }

  addFault(input: FaultInput): FaultRule {
    if (!input.path || typeof input.path !== 'string') throw new ControlError(400, '`path` is required');
    if (input.params !== undefined && (!input.params || typeof input.params !== 'object' || Array.isArray(input.params) || Object.values(input.params).some((v) => typeof v !== 'string')))
      throw new ControlError(400, '`params` must be an object of parameter names and string values, e.g. { "metadata[order_id]": "..." }');
    if (input.account !== undefined && (typeof input.account !== 'string' || !input.account)) throw new ControlError(400, '`account` must be an account id');
    if (!FAULT_KINDS.includes(input.kind)) throw new ControlError(400, `\`kind\` must be one of ${FAULT_KINDS.join(', ')}`);
    if (input.fraction !== undefined && !(input.fraction > 0 && input.fraction <= 1)) throw new ControlError(400, '`fraction` must be in (0, 1]');
    if (input.count !== undefined && input.count !== null && !(Number.isInteger(input.count) && input.count > 0)) throw new ControlError(400, '`count` must be a positive integer');
    return this.faults.add(input);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The requests faults fired on, oldest first (kept until reset). */
  firedFaults(): FiredFault[] {
    return this.faults.fired;
  }

  setWebhookFaults(f: Partial<WebhookFaults>): WebhookFaults {
    const d = this.sb.dispatcher;
    if (f.duplicate !== undefined && !(Number.isInteger(f.duplicate) && f.duplicate >= 1)) throw new ControlError(400, '`duplicate` must be an integer >= 1');
    d.faults = { ...d.faults, ...f };
    if (f.outage === false) d.release();
    return d.faults;
  }

  releaseWebhooks(): number {
    this.sb.dispatcher.faults.outage = false;
    return this.sb.dispatcher.release();
  }

  webhooksIdle(): Promise<void> {
    return this.sb.dispatcher.idle();
  }

  deliveries() {
    return this.sb.dispatcher.log;
  }

  reset(): void {
    this.faults.reset();
    this.meter.reset();
    this.sb.reset();
  }

  state(): Record<string, unknown> {
    const tables = this.sb.state.tables();
    const out: Record<string, unknown> = { now: this.sb.now(), platforms: [...this.sb.state.platforms.values()] };
    for (const [name, table] of Object.entries(tables)) out[name] = table.dump().map((r) => ({ owner: r.owner, object: r.obj }));
    return out;
  }

  private run<T>(fn: () => T): T {
    try {
      const result = fn();
      this.sb.flushBalanceAvailable();
      this.sb.onChange();
      return result;
    } catch (err) {
      if (err instanceof StripeApiError) throw new ControlError(err.status, err.body.message);
      throw err;
    }
  }
}

type Json = Record<string, unknown>;

function permissionMap(v: unknown, name: string): PermissionMap {
  if (v === undefined) return {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ControlError(400, `\`${name}\` must be an object such as { "balance": "read" }`);
  const out: PermissionMap = {};
  for (const [resource, level] of Object.entries(v)) {
    if (!isPermissionName(resource)) throw new ControlError(400, `\`${name}.${resource}\` is not a resource; one of ${Object.keys(PERMISSION_RESOURCES).join(', ')}`);
    if (!isPermissionLevel(level)) throw new ControlError(400, `\`${name}.${resource}\` must be none, read or write`);
    out[resource] = level;
  }
  return out;
}

function readBody(body: string, req: IncomingMessage): Json {
  if (!body) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed: unknown = JSON.parse(body);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ControlError(400, 'body must be a JSON object');
    return parsed as Json;
  }
  return parseForm(body);
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined);

export function controlHandler(sb: Sandbox, control: SandboxControl) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string): Promise<void> => {
    const parts = url.pathname.split('/').filter(Boolean).slice(1); // drop `_sandbox`
    const method = req.method ?? 'GET';
    try {
      const [a, b, c] = parts;
      if (a === 'onboarding' && b) return onboardingPage(sb, req, res, b, rawBody);
      if (a === 'checkout' && b) return checkoutPage(sb, req, res, b, rawBody);
      if (a === 'dashboard' && b) return dashboardPage(sb, res, b);
      const body = readBody(rawBody, req);
      if (a === 'clock' && !b && method === 'GET') return sendJson(res, 200, { now: control.now() });
      if (a === 'clock' && b === 'advance' && method === 'POST') {
        const seconds = num(body.seconds);
        const to = num(body.to);
        const delta = seconds ?? (to !== undefined ? to - control.now() : undefined);
        if (delta === undefined) throw new ControlError(400, '`seconds` (or `to`) is required');
        return sendJson(res, 200, { now: control.advance(delta) });
      }
      if (a === 'charges' && b && c === 'dispute' && method === 'POST')
        return sendJson(res, 200, control.dispute(b, { reason: typeof body.reason === 'string' ? body.reason : undefined, amount: num(body.amount) }));
      if (a === 'charges' && b && c === 'inquiry' && method === 'POST')
        return sendJson(res, 200, control.inquiry(b, { reason: typeof body.reason === 'string' ? body.reason : undefined, amount: num(body.amount) }));
      if (a === 'disputes' && b && c === 'close' && method === 'POST') return sendJson(res, 200, control.closeDispute(b, String(body.outcome) as DisputeOutcome));
      if (a === 'disputes' && b && c === 'escalate' && method === 'POST') return sendJson(res, 200, control.escalate(b));
      if (a === 'accounts' && b && c === 'verification' && method === 'POST') return sendJson(res, 200, control.finishVerification(b, body.outcome));
      if (a === 'payouts' && b && c === 'fail' && method === 'POST') return sendJson(res, 200, control.failPayout(b, typeof body.failure_code === 'string' ? body.failure_code : undefined));
      if (a === 'refunds' && b === 'hold' && !c && method === 'POST') return sendJson(res, 200, control.holdRefunds(num(body.count) ?? 1));
      if (a === 'refunds' && b && c === 'succeed' && method === 'POST') return sendJson(res, 200, control.succeedRefund(b));
      if (a === 'refunds' && b && c === 'fail' && method === 'POST') return sendJson(res, 200, control.failRefund(b, typeof body.failure_reason === 'string' ? body.failure_reason : undefined));
      if (a === 'exchange_rates' && !b && method === 'GET') return sendJson(res, 200, control.exchangeRates());
      if (a === 'exchange_rates' && !b && method === 'POST') return sendJson(res, 200, control.setExchangeRates(body));
      if (a === 'platforms' && b && c === 'settlement_currency' && method === 'POST') return sendJson(res, 200, control.setSettlementCurrency(b, body.currency));
      if (a === 'restricted_keys' && !b && method === 'POST')
        return sendJson(res, 200, control.createRestrictedKey({ secretKey: body.secret_key, permissions: body.permissions, connect: body.connect }));
      if (a === 'balance_history' && !b && method === 'POST')
        return sendJson(res, 200, control.seedBalanceHistory({ account: body.account, transactions: num(body.transactions), payouts: num(body.payouts), currency: body.currency }));
      if (a === 'reset' && method === 'POST') {
        control.reset();
        return sendJson(res, 200, { reset: true });
      }
      if (a === 'state' && method === 'GET') return sendJson(res, 200, control.state());
      if (a === 'requests' && b === 'stats' && !c) {
        if (method === 'GET') return sendJson(res, 200, control.requestStats({ windowSeconds: num(url.searchParams.get('window') ?? undefined), key: url.searchParams.get('key') ?? undefined }));
        if (method === 'DELETE') {
          control.resetRequestStats();
          return sendJson(res, 200, { reset: true });
        }
      }
      if (a === 'faults' && !b) {
        if (method === 'GET') return sendJson(res, 200, { data: control.faults.list() });
        if (method === 'DELETE') {
          control.clearFaults();
          return sendJson(res, 200, { data: [] });
        }
        if (method === 'POST')
          return sendJson(
            res,
            200,
            control.addFault({
              method: typeof body.method === 'string' ? body.method : undefined,
              path: String(body.path ?? ''),
              kind: String(body.kind) as FaultKind,
              count: num(body.count),
              fraction: num(body.fraction),
              latencyMs: num(body.latency_ms ?? body.latencyMs),
              params: body.params as Record<string, string> | undefined,
              account: body.account as string | undefined,
            }),
          );
      }
      if (a === 'faults' && b === 'fired' && !c && method === 'GET') return sendJson(res, 200, { data: control.firedFaults() });
      if (a === 'random' && b === 'seed' && !c && method === 'POST') return sendJson(res, 200, control.seedRandom(body.seed === null ? null : num(body.seed)));
      if (a === 'faults' && b && method === 'DELETE') return sendJson(res, 200, { deleted: control.faults.remove(b) });
      if (a === 'webhooks' && b === 'faults') {
        if (method === 'GET') return sendJson(res, 200, sb.dispatcher.faults);
        if (method === 'POST') return sendJson(res, 200, control.setWebhookFaults(dropUndefined({ duplicate: num(body.duplicate), shuffle: bool(body.shuffle), outage: bool(body.outage) })));
      }
      if (a === 'webhooks' && b === 'release' && method === 'POST') return sendJson(res, 200, { released: control.releaseWebhooks() });
      if (a === 'webhooks' && b === 'deliveries' && method === 'GET') return sendJson(res, 200, { data: control.deliveries() });
      if (a === 'webhooks' && b === 'idle' && method === 'GET') {
        await control.webhooksIdle();
        return sendJson(res, 200, { idle: true, withheld: sb.dispatcher.withheldCount() });
      }
      throw new ControlError(404, `Unknown control endpoint ${method} ${url.pathname}`);
    } catch (err) {
      if (err instanceof ControlError) return sendJson(res, err.status, { error: { message: err.message } });
      if (err instanceof SyntaxError) return sendJson(res, 400, { error: { message: `Invalid JSON: ${err.message}` } });
      throw err;
    }
  };
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}
