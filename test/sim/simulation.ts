// One seed of the whole-marketplace simulation: a fresh database (cloned from the migrated template),
// a sandbox and the real app, then a scenario and its faults drawn from the seed, then the
// invariants. Runs under Jest (test/sim.e2e-spec.ts) and as `npm run sim` (test/sim/cli.ts).
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { FaultKind } from '../../apps/stripe-sandbox/src/http/faults.js';
import { bearer, createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from '../factories/seller.factory.js';
import { checkout } from '../support/checkout.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { finishedRun, reconcile } from '../support/reconciliation.js';
import { Prng } from './prng.js';
import { checkInvariants, checkNoDuplicates, passTime, settle } from './invariants.js';
import { startKeyStrippingProxy, type KeyStrippingProxy } from './key-stripping-proxy.js';
import { WorkerFleet } from './worker-fleet.js';
import { ApiFleet } from './api-fleet.js';
import { retryingClient } from './retrying-client.js';

export interface SimOptions {
  seed: number;
  steps: number;
  /** The deliberately broken safeguard: the app's transfer creates reach Stripe without their idempotency key. */
  breakTransferIdempotency?: boolean;
  /** Where the app's pino lines go (default: nowhere). */
  logDestination?: Writable;
}

export interface SeedOutcome {
  seed: number;
  steps: number;
  ok: boolean;
  failures: string[];
  /** What the scenario did, one line per step (readable in a report). */
  actions: string[];
  /** The one command that replays this seed exactly. */
  command: string;
  /**
   * What each fault aimed at our objects hit at the sandbox (its own record), one line per rule in the
   * order the scenario made them: the rule, then the requests it fired on (ids as `*`). A replay answers the same.
   */
  aimedFaults: string[];
}

export function replayCommand(o: Pick<SimOptions, 'seed' | 'steps' | 'breakTransferIdempotency'>): string {
  return `npm run sim -- --seed ${o.seed} --steps ${o.steps}${o.breakTransferIdempotency ? ' --break transfer-idempotency' : ''}`;
}

// the workers' polls and retries in tens of milliseconds, so a seed settles in seconds
const QUICK_RETRIES = {
  // short Stripe calls and leases: a SIGKILLed worker's rows are taken over within seconds
  STRIPE_TIMEOUT_MS: '1500',
  STRIPE_MAX_RETRIES: '1',
  TRANSFERS_CLAIM_LEASE_SECONDS: '4',
  PAYOUT_EXECUTION_CLAIM_LEASE_SECONDS: '4',
  WEBHOOK_LEASE_MS: '3000',
  TRANSFERS_WORKER_POLL_MS: '100',
  TRANSFERS_RETRY_BASE_MS: '50',
  TRANSFERS_INACTIVE_RECHECK_MS: '200',
  PAYMENTS_WORKER_POLL_MS: '100',
  PAYOUT_EXECUTION_POLL_MS: '100',
  PAYOUT_EXECUTION_RETRY_BASE_MS: '50',
  // a SIGKILLed api's Idempotency-Key claims: the client's retry takes them over within seconds
  IDEMPOTENCY_IN_FLIGHT_LEASE_SECONDS: '3',
};

/** Where a seed kills its api process: before these steps, during the step's request number `skip` (0 the first), `delayMs` after it arrived. */
type ApiKills = Map<number, { skip: number; delayMs: number }>;

// Drawn from a stream of the seed's own (not the scenario's): every seed keeps the scenario it had before api kills
function apiKills(seed: number, steps: number): ApiKills {
  const rng = new Prng((seed ^ 0x2545f491) >>> 0);
  const kills: ApiKills = new Map();
  if (!rng.chance(0.25)) return kills;
  for (let n = rng.int(1, 2); n > 0; n--) kills.set(rng.int(0, Math.max(0, steps - 1)), { skip: rng.int(0, 1), delayMs: rng.int(0, 300) });
  return kills;
}

const GOOD_CARD = '4242424242424242';
const DECLINE_CARDS = ['4000000000000002', '4000000000009995'];
const GOOD_BANK = '000123456789';
const FAILING_BANK = '000111111116';

// the currencies a seed sells in: USD, a zero-decimal one (JPY) and a three-decimal one (KWD)
const CURRENCIES = [
  { code: 'USD', min: 1_000, max: 9_000, step: 1 },
  { code: 'JPY', min: 800, max: 9_000, step: 1 },
  { code: 'KWD', min: 1_000, max: 9_000, step: 10 },
] as const;

interface Shop {
  t: TestApp;
  rng: Prng;
  sellers: ActiveSeller[];
  listings: Array<{ id: string; sellerId: string; currency: string }>;
  buyer: PrincipalWithKey;
  admins: PrincipalWithKey[];
  orders: Array<{ id: string; currency: string; multi: boolean; held: boolean }>;
  /** the faults aimed at our objects, by the sandbox's rule id, as the scenario made them */
  aimedFaults: Array<{ rule: string; what: string }>;
  actions: string[];
  failures: string[];
  webhookOutage: boolean;
}

export async function runSeed(o: SimOptions): Promise<SeedOutcome> {
  const rng = new Prng(o.seed);
  const accountsApi = rng.pick(['v1', 'v2'] as const);
  // some seeds run a real worker process too, SIGKILLed (and started again) before these steps
  const killAt = new Set(rng.chance(0.25) ? Array.from({ length: rng.int(1, 2) }, () => rng.int(1, Math.max(1, o.steps - 1))) : []);
  // some seeds send the actions' requests to a real api process, SIGKILLed during a request of these steps
  const apiKillAt = apiKills(o.seed, o.steps);
  const proxy: KeyStrippingProxy | undefined = o.breakTransferIdempotency ? await startKeyStrippingProxy('/v1/transfers') : undefined;
  const failures: string[] = [];
  const actions: string[] = [`accounts ${accountsApi}`];
  const aimedFaults: string[] = [];
  let t: TestApp | undefined;
  let fleet: WorkerFleet | undefined;
  let apis: ApiFleet | undefined;
  let apisStarting: Promise<ApiFleet> | undefined;
  try {
    const env: Record<string, string> = {
      PAYOUT_MODE: 'reviewed',
      STRIPE_ACCOUNTS_API: accountsApi,
      PAYOUT_TWO_PERSON_THRESHOLD: '3000',
      PAYOUT_MINIMUM: '100',
      LEDGER_AVAILABILITY_SWEEP_MS: '100',
      ...QUICK_RETRIES,
      // broken on purpose: transfer.created (which would record the lost transfer) is read late, after the retry
      ...(proxy ? { WEBHOOK_POLL_MS: '1500' } : {}),
      LOG_LEVEL: o.logDestination ? 'info' : 'silent',
    };
    t = await startTestApp({
      env,
      envFor: (sandbox): Record<string, string> => (proxy ? { STRIPE_API_BASE: proxy.forwardTo(sandbox.url) } : {}),
      logDestination: o.logDestination,
      logLevel: o.logDestination ? 'info' : 'silent',
    });
    t.sandbox.control.setExchangeRates({ kwd: { usd: '3.25' } }); // usd -> jpy is the sandbox's default
    // the sandbox's own draws (webhook shuffles, fault fractions) follow the seed too
    t.sandbox.control.seedRandom(o.seed >>> 0);
    const processEnv = { ...env, ...(proxy ? { STRIPE_API_BASE: proxy.url } : {}) };
    // the api process boots while the shop opens (in-process)
    apisStarting = apiKillAt.size ? ApiFleet.start(t, processEnv, o.logDestination) : undefined;
    apisStarting?.catch(() => undefined);
    const shop = await openShop(t, rng, actions, failures);
    // the broken safeguard needs a lost response to show: the first transfer create's answer to the first seller never arrives
    // (aimed at that seller: the other seller's transfer of the same cart, which may go first, is left alone)
    if (proxy) {
      const rule = t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 1, params: { 'metadata[seller_id]': shop.sellers[0]!.id } });
      shop.aimedFaults.push({ rule: rule.id, what: 'lose_response x1 on /v1/transfers to seller 1' });
    }
    const from = new Date(t.sandbox.control.now() * 1000 - 60_000).toISOString();
    if (killAt.size) fleet = new WorkerFleet(t, processEnv, o.logDestination);
    const retries: string[] = [];
    if (apisStarting) {
      apis = await apisStarting;
      // the actions' requests go to the api process; the sandbox's webhooks still reach the in-process app
      shop.t = { ...t, http: retryingClient(apis.url, { onRetry: (what, why) => retries.push(`${what} after ${why}`) }) };
      actions.push('the actions talk to an api process (ROLE=api)');
    }
    for (let step = 0; step < o.steps && failures.length === 0; step++) {
      if (fleet && killAt.has(step)) {
        await fleet.killAndRestart();
        actions.push(`${step + 1}. the worker process SIGKILLed and started again`);
      }
      const kill = apis && apiKillAt.get(step);
      if (kill) apis!.armKill(kill.skip, kill.delayMs);
      await takeStep(shop, step);
      for (const when of (await apis?.killed()) ?? []) actions.push(`   the api process SIGKILLed ${when}, started again`);
      if (retries.length) actions.push(`   the client retried ${counted(retries.splice(0)).join('; ')}`);
    }
    const unreached = apis?.unreached();
    if (unreached) actions.push(`(${unreached} api kill(s) armed that no request reached)`);
    await fleet?.stop();
    fleet = undefined;
    await apis?.stop();
    apis = undefined;
    apisStarting = undefined;
    const explained: string[] = [];
    await settle(t, shop.orders, failures, explained);
    actions.push(...explained.map((e) => `explained at the end: ${e}`));
    checkNoDuplicates(t, failures);
    if (failures.length === 0) {
      const run = await reconcile(t, { from, to: new Date(t.sandbox.control.now() * 1000 + 60_000).toISOString() });
      await checkInvariants(t, run, failures);
    }
    aimedFaults.push(...aimedFaultsFired(t, shop.aimedFaults));
  } catch (error) {
    failures.push(`the scenario stopped: ${(error as Error).message}`);
  } finally {
    await fleet?.stop().catch(() => undefined);
    await (apis ?? (await apisStarting?.catch(() => undefined)))?.stop().catch(() => undefined);
    await t?.close().catch(() => undefined);
    await proxy?.close();
  }
  return { seed: o.seed, steps: o.steps, ok: failures.length === 0, failures, actions, command: replayCommand(o), aimedFaults };
}

/** Per aimed rule, in the order made: what it was, and the requests the sandbox says it fired on. */
function aimedFaultsFired(t: TestApp, rules: Shop['aimedFaults']): string[] {
  const fired = t.sandbox.control.firedFaults();
  return rules.map(({ rule, what }) => {
    const hits = fired.filter((f) => f.rule === rule).map((f) => `${f.method} ${f.path.replace(/\/[a-z]{2,5}_[A-Za-z0-9]{10,}/g, '/*')}`);
    return `${what}: ${hits.length ? hits.join(', ') : 'fired on nothing'}`;
  });
}

/** `a; a; b` as `a (2x); b`. */
function counted(lines: string[]): string[] {
  const n = new Map<string, number>();
  for (const l of lines) n.set(l, (n.get(l) ?? 0) + 1);
  return [...n].map(([l, c]) => (c > 1 ? `${l} (${c}x)` : l));
}

async function openShop(t: TestApp, rng: Prng, actions: string[], failures: string[]): Promise<Shop> {
  const sellers: ActiveSeller[] = [];
  const listings: Shop['listings'] = [];
  const currencies = CURRENCIES.filter((_c, i) => i === 0 || rng.chance(0.5));
  for (let i = rng.int(2, 3); i > 0; i--) {
    const failing = rng.chance(0.25);
    const seller = await createActiveSeller(t, undefined, failing ? FAILING_BANK : GOOD_BANK);
    sellers.push(seller);
    for (const c of currencies) {
      const amount = Math.floor(rng.int(c.min, c.max) / c.step) * c.step;
      listings.push({ id: await createListing(t, seller, { unitAmount: amount, currency: c.code }), sellerId: seller.id, currency: c.code });
    }
    actions.push(`seller ${sellers.length}${failing ? ' (failing bank account)' : ''}: ${currencies.map((c) => c.code).join(', ')}`);
  }
  const buyer = await createPrincipal(t, 'buyer');
  const admins = [await createPrincipal(t, 'admin'), await createPrincipal(t, 'admin')];
  return { t, rng, sellers, listings, buyer, admins, orders: [], aimedFaults: [], actions, failures, webhookOutage: false };
}

type Action = 'checkout' | 'cart' | 'refund' | 'dispute' | 'release' | 'advance' | 'payout' | 'reconcile' | 'fault' | 'webhookFault';

const WEIGHTS: Record<Action, number> = { checkout: 5, cart: 3, refund: 3, dispute: 2, release: 1, advance: 2, payout: 2, reconcile: 1, fault: 3, webhookFault: 2 };

async function takeStep(shop: Shop, step: number): Promise<void> {
  // every scenario sells something first, so refunds, disputes and payouts have an order to act on
  const action = step === 0 ? 'checkout' : shop.rng.weighted(WEIGHTS);
  const did = await ACTIONS[action](shop);
  shop.actions.push(`${step + 1}. ${action}: ${did}`);
}

/** An answer of our API that no scenario explains: a 5xx that is not a provider's refusal said in words. */
function unexplained(shop: Shop, what: string, res: { status: number; body: { error?: { code?: string } } }): boolean {
  if (res.status < 500) return false;
  const code = res.body?.error?.code ?? '';
  if (res.status === 503 && code !== 'INTERNAL' && code !== '') return false;
  shop.failures.push(`${what} answered ${res.status} ${JSON.stringify(res.body)}`);
  return true;
}

const ACTIONS: Record<Action, (shop: Shop) => Promise<string>> = {
  async checkout(shop) {
    const listing = shop.rng.pick(shop.listings);
    return buy(shop, [{ listingId: listing.id, quantity: shop.rng.int(1, 2) }], listing.currency, false);
  },

  async cart(shop) {
    const currency = shop.rng.pick([...new Set(shop.listings.map((l) => l.currency))]);
    const bySeller = new Map<string, string>();
    for (const l of shop.listings) if (l.currency === currency) bySeller.set(l.sellerId, l.id);
    const items = [...bySeller.values()].map((listingId) => ({ listingId, quantity: 1 }));
    return buy(shop, items, currency, shop.rng.chance(0.4));
  },

  async refund(shop) {
    const order = shop.orders.length ? shop.rng.pick(shop.orders) : undefined;
    if (!order) return 'no order yet';
    const full = shop.rng.chance(0.4);
    const body = full ? { full: true } : { amount: refundAmount(shop, order.currency) };
    const willFail = shop.rng.chance(0.3);
    if (willFail) shop.t.sandbox.control.holdRefunds(1);
    const res = await shop.t.http.post(`/orders/${order.id}/refunds`).set(bearer(shop.t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
    shop.t.sandbox.control.holdRefunds(0);
    if (unexplained(shop, 'a refund', res)) return 'failed';
    if (willFail) {
      const stripeRefundId = res.body?.stripeRefundId as string | undefined;
      if (res.status === 201 && stripeRefundId) {
        shop.t.sandbox.control.failRefund(stripeRefundId);
        return `${full ? 'full' : `${body.amount}`} refund of ${order.id}, failed at Stripe afterwards`;
      }
    }
    return `${full ? 'full' : `${body.amount}`} refund of ${order.id}: ${res.status} ${res.body?.error?.code ?? res.body?.status ?? ''}`;
  },

  async dispute(shop) {
    const order = shop.orders.length ? shop.rng.pick(shop.orders) : undefined;
    if (!order) return 'no order yet';
    const seen = (await shop.t.http.get(`/orders/${order.id}`).set(bearer(shop.t.adminKey))).body;
    if (!seen.chargeId || seen.disputes?.length || seen.status === 'refunded') return `order ${order.id} (${seen.status}) has nothing to dispute`;
    const inquiry = shop.rng.chance(0.3);
    let dispute: { id: string };
    try {
      dispute = inquiry ? shop.t.sandbox.control.inquiry(seen.chargeId) : shop.t.sandbox.control.dispute(seen.chargeId);
    } catch (error) {
      // the charge is disputed already (its event not seen yet) or refunded in full: Stripe refuses it
      return `the sandbox refused a dispute on ${order.id}: ${(error as Error).message}`;
    }
    let outcome: 'won' | 'lost' | 'open' = shop.rng.pick(['won', 'lost', 'open'] as const);
    if (inquiry && outcome !== 'open') {
      if (outcome === 'lost') shop.t.sandbox.control.escalate(dispute.id);
      else {
        shop.t.sandbox.control.closeDispute(dispute.id, 'warning_closed');
        return `inquiry on ${order.id}, closed`;
      }
    }
    if (outcome !== 'open') shop.t.sandbox.control.closeDispute(dispute.id, outcome);
    else outcome = 'open';
    return `${inquiry ? 'inquiry' : 'dispute'} on ${order.id}: ${outcome}`;
  },

  async release(shop) {
    const held = shop.orders.filter((o) => o.held);
    if (!held.length) return 'nothing held';
    const order = shop.rng.pick(held);
    const res = await shop.t.http.post(`/orders/${order.id}/release`).set(bearer(shop.t.adminKey)).send();
    if (unexplained(shop, 'a release', res)) return 'failed';
    if (res.status === 200) order.held = false;
    return `release ${order.id}: ${res.status} ${res.body?.error?.code ?? ''}`;
  },

  async advance(shop) {
    const days = shop.rng.int(1, 3);
    await passTime(shop.t, days * 86_400);
    return `${days} day(s)`;
  },

  async payout(shop) {
    const seller = shop.rng.pick(shop.sellers);
    const res = await shop.t.http
      .post('/sellers/me/payouts')
      .set(bearer(seller.key))
      .set('Idempotency-Key', randomUUID())
      .send({ currency: shop.rng.pick([...new Set(shop.listings.map((l) => l.currency))]) });
    if (unexplained(shop, 'a payout request', res)) return 'failed';
    if (res.status !== 201 || res.body.status !== 'pending_review') return `payout request: ${res.status} ${res.body?.error?.code ?? res.body?.status}`;
    const approvals: string[] = [];
    for (const admin of shop.admins.slice(0, res.body.approvalsRequired)) {
      const a = await shop.t.http.post(`/admin/payouts/${res.body.id}/approve`).set(bearer(admin.key)).set('Idempotency-Key', randomUUID()).send({});
      if (unexplained(shop, 'an approval', a)) return 'failed';
      approvals.push(String(a.status));
    }
    return `payout of ${res.body.amount} ${res.body.currency}, approvals ${approvals.join(', ')}`;
  },

  async reconcile(shop) {
    const res = await shop.t.http.post('/admin/reconciliation/runs').set(bearer(shop.t.adminKey)).set('Idempotency-Key', randomUUID()).send({});
    if (unexplained(shop, 'a reconciliation run', res)) return 'failed';
    if (res.status !== 201) return `run refused: ${res.status} ${res.body?.error?.code}`;
    return `run ${(await finishedRun(shop.t, res.body.id)).status}`;
  },

  async fault(shop) {
    const kind = shop.rng.pick(['lose_response', 'error_500', 'rate_limit', 'latency', 'connection_reset'] as const satisfies readonly FaultKind[]);
    const path = shop.rng.pick(['/v1/transfers', '/v1/refunds', '/v1/checkout/sessions', '/v1/transfers/*/reversals', '/v1/payouts', '/v1/balance', '/**']);
    const count = shop.rng.int(1, 3);
    const latency = kind === 'latency' ? { latencyMs: shop.rng.int(50, 400) } : {};
    const target = faultTarget(shop, path);
    const rule = shop.t.sandbox.control.addFault({ method: path === '/v1/balance' ? 'GET' : 'POST', path, kind, count, ...latency, ...target.aim });
    const what = `${kind} x${count} on ${path}${target.what}`;
    if (target.what) shop.aimedFaults.push({ rule: rule.id, what });
    return `${what}${target.id ? ` (${target.id})` : ''}`;
  },

  async webhookFault(shop) {
    const kind = shop.rng.pick(['duplicate', 'shuffle', 'withhold', 'none'] as const);
    const control = shop.t.sandbox.control;
    if (shop.webhookOutage) {
      control.releaseWebhooks();
      shop.webhookOutage = false;
    }
    if (kind === 'duplicate') control.setWebhookFaults({ duplicate: shop.rng.int(2, 3), shuffle: false });
    else if (kind === 'shuffle') control.setWebhookFaults({ duplicate: 1, shuffle: true });
    else if (kind === 'withhold') {
      control.setWebhookFaults({ outage: true });
      shop.webhookOutage = true;
    } else control.setWebhookFaults({ duplicate: 1, shuffle: false });
    return kind;
  },
};

/**
 * Whose requests a fault hits, so a replay hits the same ones whichever worker asks first. A seller's
 * (`metadata[seller_id]`, which their transfers, transfer reversals and payouts carry; on `/v1/balance`
 * their account, `Stripe-Account`), or for refunds an order's (`metadata[order_id]`: a refund names no
 * seller). Not an order's everywhere: an order's transfers are made once it is paid, so a fault aimed at an
 * order the scenario has already sold fires only if a later release or return makes one (in 40-step runs
 * about half as many fired as aimed at sellers). Checkout sessions stay unaimed: the only
 * maker of one is the scenario's own next checkout, in turn.
 */
function faultTarget(shop: Shop, path: string): { aim: { params?: Record<string, string>; account?: string }; what: string; id?: string } {
  if (path === '/v1/checkout/sessions') return { aim: {}, what: '' };
  if (path === '/v1/refunds') {
    if (!shop.orders.length) return { aim: {}, what: '' };
    const i = shop.rng.int(0, shop.orders.length - 1);
    return { aim: { params: { 'metadata[order_id]': shop.orders[i]!.id } }, what: ` for order ${i + 1}`, id: shop.orders[i]!.id };
  }
  const i = shop.rng.int(0, shop.sellers.length - 1);
  const seller = shop.sellers[i]!;
  return { aim: path === '/v1/balance' ? { account: seller.account } : { params: { 'metadata[seller_id]': seller.id } }, what: ` of seller ${i + 1}` };
}

function refundAmount(shop: Shop, currency: string): number {
  const c = CURRENCIES.find((x) => x.code === currency)!;
  return Math.floor(shop.rng.int(c.step * 10, c.min / 2) / c.step) * c.step;
}

async function buy(shop: Shop, items: Array<{ listingId: string; quantity: number }>, currency: string, hold: boolean): Promise<string> {
  const multi = items.length > 1;
  const declined = shop.rng.chance(0.15);
  const res =
    multi && hold
      ? await shop.t.http
          .post('/checkout')
          .set(bearer(shop.buyer.key))
          .set('Idempotency-Key', randomUUID())
          .send({ items, holdDays: shop.rng.int(1, 5) })
      : await checkout(shop.t, shop.buyer, items);
  if (unexplained(shop, 'a checkout', res)) return 'failed';
  if (res.status !== 201) return `checkout of ${items.length} seller(s) in ${currency}: ${res.status} ${res.body?.error?.code}`;
  const card = declined ? shop.rng.pick(DECLINE_CARDS) : GOOD_CARD;
  const paid = await fetch(res.body.checkoutUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ card_number: card }),
    redirect: 'manual',
  });
  const page = paid.status;
  const said = page === 303 ? '' : ` "${(await paid.text()).match(/class="err">([^<]*)/)?.[1] ?? ''}"`;
  if (page === 402 && !declined) shop.failures.push(`the hosted page declined a good card${said}`);
  if (page === 303) shop.orders.push({ id: res.body.orderId, currency, multi, held: multi && hold });
  return `${multi ? `cart of ${items.length} sellers` : 'one seller'}${hold ? ' (held)' : ''} ${res.body.amountTotal} ${currency}: page ${page}${declined ? ' (declined card)' : ''}${said}`;
}
