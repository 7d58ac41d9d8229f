import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefundFailureReturnService } from '../../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { TransferReversalSubmissionService } from '../../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer, createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from '../factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, getOrder, payOnHostedPage, waitForOrder } from './checkout.js';
import { setTransfersCapability } from './onboarding.js';
import { waitFor } from './process.js';
import { startTestApp, type TestApp } from './test-app.js';

/** A multi-seller order paid on the hosted page, once the webhook made it paid. */
export async function paidCart(t: TestApp, buyer: PrincipalWithKey, items: Array<{ listingId: string; quantity: number }>) {
  const res = await checkout(t, buyer, items);
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
  if ((await payOnHostedPage(res.body.checkoutUrl, '4242424242424242')) !== 303) throw new Error('hosted checkout did not pay');
  return waitForOrder(t, res.body.orderId, (o) => o.status === 'paid' && o.chargeId !== null, 'multi-seller order paid');
}

// biome-ignore lint/suspicious/noExplicitAny: the transfers' JSON, read loosely as supertest's `body` is
export type TransferJson = Record<string, any>;

/** Every transfer of the admin list (all pages) matching the filter. */
export async function adminTransfers(t: TestApp, query: Record<string, string> = {}): Promise<TransferJson[]> {
  const out: TransferJson[] = [];
  let startingAfter: string | undefined;
  do {
    const page = (
      await t.http
        .get('/admin/transfers')
        .query({ ...query, limit: 200, ...(startingAfter ? { startingAfter } : {}) })
        .set(bearer(t.adminKey))
        .expect(200)
    ).body;
    out.push(...page.data);
    startingAfter = page.nextCursor ?? undefined;
  } while (startingAfter);
  return out;
}

/** Waits until the order's transfers all satisfy `accept` (there is at least one). */
export function waitForTransfers(t: TestApp, orderId: string, accept: (transfer: TransferJson) => boolean, what: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const order = (await t.http.get(`/orders/${orderId}`).set(bearer(t.adminKey)).expect(200)).body;
      return order.transfers.length > 0 && order.transfers.every(accept) ? (order.transfers as TransferJson[]) : undefined;
    },
    timeoutMs,
    what,
  );
}

/** The sandbox's transfers of one order (transfer_group), all pages. */
export async function stripeTransfersOf(t: TestApp, orderId: string) {
  const out = [];
  for await (const tr of t.stripe.transfers.list({ transfer_group: orderId, limit: 100 })) out.push(tr);
  return out;
}

export interface TwoSellerShop {
  a: ActiveSeller;
  b: ActiveSeller;
  buyer: PrincipalWithKey;
  /** A vase of A's (1000) and a lamp of B's (3000) in one cart, paid. */
  cart(): ReturnType<typeof paidCart>;
}

/** Two active sellers with a listing each and a buyer: the smallest multi-seller marketplace. */
export async function twoSellerShop(t: TestApp): Promise<TwoSellerShop> {
  const a = await createActiveSeller(t, 'Seller A');
  const b = await createActiveSeller(t, 'Seller B');
  const buyer = await createPrincipal(t, 'buyer');
  const vase = await createListing(t, a, { unitAmount: 1_000, title: 'Vase' });
  const lamp = await createListing(t, b, { unitAmount: 3_000, title: 'Lamp' });
  return {
    a,
    b,
    buyer,
    cart: () =>
      paidCart(t, buyer, [
        { listingId: vase, quantity: 1 },
        { listingId: lamp, quantity: 1 },
      ]),
  };
}

/**
 * What the sandbox received never went over `budget` per second: no calendar second over it, and no
 * sliding second more than 5% over it. The schedule spaces sends on the senders' side; on a loaded
 * machine (two cores shared by the senders, PostgreSQL and the sandbox) a sender that stalls after
 * its slot check sends late and the sandbox reads arrivals late and stamps them together, so a
 * sliding second can hold a few more than the budget while every calendar second stays under it
 * (bench/README.md, "The Stripe request budget shared by two processes").
 */
export function expectWithinBudget(stats: { max_per_second: number; max_in_any_second: number }, budget: number): void {
  expect(stats.max_per_second).toBeLessThanOrEqual(budget);
  expect(stats.max_in_any_second).toBeLessThanOrEqual(Math.floor(budget * 1.05));
}

/** POST /orders/:id/refunds as the admin, a fresh Idempotency-Key unless one is given. */
export const refundOrder = (t: TestApp, orderId: string, body: object, key: string = randomUUID()) =>
  t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

/** Runs the transfers, reversals and failed-refund-return workers (each round in that order) until none has anything due. */
export async function drainTransferWorkers(t: TestApp): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  const returns = t.app.get(RefundFailureReturnService);
  for (let i = 0; i < 50; i++) if ((await returns.runOnce()) + (await transfers.runOnce()) + (await reversals.runOnce()) === 0) return;
  throw new Error('workers never drained');
}

/** Moves the sandbox clock past the funds' availability and drains until no reversal waits for funds any more. */
export async function fundsAvailable(t: TestApp): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitFor(
    async () => {
      await drainTransferWorkers(t);
      const [row]: Array<{ n: number }> = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM transfer_reversals WHERE status IN ('pending', 'submitting')`);
      return row!.n === 0 ? true : undefined;
    },
    20_000,
    'no reversal waiting for funds',
  );
}

/** A two-seller shop whose sellers are on manual payouts (their balances stay, so reversals are made). */
export async function manualPayoutShop(t: TestApp): Promise<TwoSellerShop> {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  return shop;
}

/** Stripe fails the refund (the card was closed); waits until the failure is recorded from its webhooks. */
export async function failRefundAtStripe(t: TestApp, orderId: string, refundId: string, stripeRefundId: string): Promise<void> {
  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (res.status !== 200) throw new Error(`the sandbox answered ${res.status} to failing refund ${stripeRefundId}`);
  await waitForOrder(t, orderId, (o) => o.refunds.find((r: { id: string }) => r.id === refundId)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
}

/** The seller's debts as the admin lists them. */
export const sellerDebtsOf = async (t: TestApp, sellerId: string) => (await t.http.get('/admin/seller-debts').query({ sellerId }).set(bearer(t.adminKey)).expect(200)).body.data;

/**
 * The app of one test file: started before its tests (with `env`, e.g. the workers' poll intervals
 * set so that the test drives them) and closed after them, the sandbox's webhook faults cleared
 * first. Read as the TestApp once started (a handle that forwards to it).
 */
export function testAppForFile(env: Record<string, string> = {}): TestApp {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp({ env });
  });
  afterAll(async () => {
    app?.sandbox.control.setWebhookFaults({ outage: false });
    await app?.close();
  });
  return new Proxy({} as TestApp, {
    get: (_, key) => {
      if (!app) throw new Error('the test app is not started yet (read it inside a test or hook)');
      return Reflect.get(app, key, app);
    },
  });
}

/** Pays out the seller's whole available balance in `currency` (their account keeps nothing Stripe could reverse from). */
export async function payOutAvailable(t: TestApp, account: string, currency = 'usd'): Promise<void> {
  const available = (await t.stripe.balance.retrieve({}, { stripeAccount: account })).available.find((b) => b.currency === currency)!.amount;
  await t.stripe.payouts.create({ amount: available, currency }, { stripeAccount: account });
}

/** A manual-payout shop's order, its transfers made (the books checked), then seller A's whole available balance paid out. */
export async function paidOutOrder(t: TestApp) {
  const shop = await manualPayoutShop(t);
  const order = await shop.cart();
  await drainTransferWorkers(t);
  await expectBooksMatchStripe(t);
  await payOutAvailable(t, shop.a.account);
  return { shop, order };
}

/**
 * A manual-payout shop where seller A owes 225: A's 900 of a first order paid out, then 1000 of that
 * order refunded (A's part, 225, a debt their balance could not cover), so A's next transfer is netted.
 */
export async function shopWhereAOwes225(t: TestApp) {
  const shop = await manualPayoutShop(t);
  const first = await shop.cart();
  await drainTransferWorkers(t);
  await expectBooksMatchStripe(t);
  await t.stripe.payouts.create({ amount: 900, currency: 'usd' }, { stripeAccount: shop.a.account });
  await refundOrder(t, first.id, { amount: '1000' }).expect(201);
  await drainTransferWorkers(t);
  return { shop, first };
}

/** A manual-payout shop's order whose transfers are made and whose funds are available on every balance. */
export async function madeOrderFundsAvailable(t: TestApp) {
  const shop = await manualPayoutShop(t);
  const order = await shop.cart();
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  return { shop, order };
}

/** An admin refund (201) of the order, then the workers drained and the funds' availability passed: every reversal it made is settled. */
export async function refundSettled(t: TestApp, orderId: string, body: object) {
  const res = await refundOrder(t, orderId, body).expect(201);
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  return res;
}

/** A seller's whole connected balance at Stripe (available + pending) in one currency. */
export async function connectedBalance(t: TestApp, account: string, currency = 'usd'): Promise<number> {
  const b = await t.stripe.balance.retrieve({}, { stripeAccount: account });
  const sum = (xs: Array<{ currency: string; amount: number }>) => xs.filter((x) => x.currency === currency).reduce((s, x) => s + x.amount, 0);
  return sum(b.available) + sum(b.pending);
}

/**
 * A two-seller order whose two transfer calls the sandbox holds `latencyMs` (both rows `submitting`,
 * worker A's run returned unawaited), then seller B unable to receive transfers in our books while
 * Stripe's webhooks are held and B able again at Stripe: the moment an admin may cancel B's row while
 * its call is on its way (Stripe takes the transfer all the same when it lands). The caller releases
 * the webhooks (`t.sandbox.control.releaseWebhooks()`) and waits for `bActive(true)`.
 */
export async function transfersOnTheirWay(t: TestApp, shop: TwoSellerShop, latencyMs: number) {
  const bActive = (active: boolean) =>
    waitFor(async () => (((await t.http.get('/sellers/me').set(bearer(shop.b.key))).body.status === 'active') === active ? true : undefined), 15_000, `seller B ${active ? '' : 'not '}active`);
  const order = await shop.cart();
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'latency', latencyMs, count: 2 });
  const workerA = t.app.get(TransferSubmissionService).runOnce();
  await waitFor(async () => ((await getOrder(t, order.id)).transfers.every((x: { status: string }) => x.status === 'submitting') ? true : undefined), 10_000, 'both transfers sent');
  await setTransfersCapability(t, shop.b.account, false);
  await bActive(false);
  t.sandbox.control.setWebhookFaults({ outage: true });
  try {
    await setTransfersCapability(t, shop.b.account, true);
    const bRow: TransferJson = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.b.id);
    return { order, workerA, bRow, bActive };
  } catch (error) {
    t.sandbox.control.releaseWebhooks();
    throw error;
  }
}
