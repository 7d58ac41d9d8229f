import { randomUUID } from 'node:crypto';
import { bearer, type PrincipalWithKey } from '../factories/principal.factory.js';
import { waitFor } from './process.js';
import type { TestApp } from './test-app.js';

export const SUCCESS_URL = 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}';
export const CANCEL_URL = 'https://shop.example/cart';

/** POST /checkout with a fresh Idempotency-Key (or the one given). */
export function checkout(t: TestApp, buyer: PrincipalWithKey, items: { listingId: string; quantity: number }[], key: string = randomUUID()) {
  return t.http.post('/checkout').set(bearer(buyer.key)).set('Idempotency-Key', key).send({ items, successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL });
}

/** The buyer types a card into the sandbox's hosted checkout page; returns the page's HTTP status (303 paid, 402 declined). */
export async function payOnHostedPage(checkoutUrl: string, cardNumber: string): Promise<number> {
  const res = await fetch(checkoutUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ card_number: cardNumber }),
    redirect: 'manual',
  });
  return res.status;
}

export async function getOrder(t: TestApp, id: string, key = t.adminKey) {
  return (await t.http.get(`/orders/${id}`).set(bearer(key)).expect(200)).body;
}

/** Polls the order (as admin) until `accept` holds: webhooks are processed asynchronously. */
// biome-ignore lint/suspicious/noExplicitAny: the order's JSON body, read loosely as supertest's `body` is
export function waitForOrder(t: TestApp, id: string, accept: (order: Record<string, any>) => boolean, what: string) {
  let last: unknown;
  return waitFor(
    async () => {
      const order = await getOrder(t, id);
      last = order;
      return accept(order) ? order : undefined;
    },
    15_000,
    what,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
  });
}

export async function ledgerEntries(
  t: TestApp,
  referenceId: string,
  referenceType = 'order',
): Promise<
  Array<{
    kind: string;
    idempotencyKey: string;
    reversesEntryId: string | null;
    lines: Array<{ account: string; amount: string; sellerId: string | null; currency: string; stripeObjectId: string | null; stripeBalanceTransactionId: string | null }>;
  }>
> {
  const entries = [];
  let startingAfter: string | undefined;
  do {
    const query = { referenceType, referenceId, limit: 200, ...(startingAfter ? { startingAfter } : {}) };
    const page = (await t.http.get('/admin/ledger/entries').query(query).set(bearer(t.adminKey)).expect(200)).body;
    entries.push(...page.data);
    startingAfter = page.nextCursor ?? undefined;
  } while (startingAfter);
  return entries;
}

export async function balance(t: TestApp, account: string, currency: string, sellerId?: string): Promise<bigint> {
  const res = await t.http
    .get(`/admin/ledger/accounts/${account}/balance?currency=${currency}${sellerId ? `&sellerId=${sellerId}` : ''}`)
    .set(bearer(t.adminKey))
    .expect(200);
  return BigInt(res.body.balances[0].amount);
}

/** Sum of one account's lines over entries (debit positive). */
export function sumLines(entries: Awaited<ReturnType<typeof ledgerEntries>>, account: string, sellerId?: string): bigint {
  return entries
    .flatMap((e) => e.lines)
    .filter((l) => l.account === account && (sellerId === undefined || l.sellerId === sellerId))
    .reduce((s, l) => s + BigInt(l.amount), 0n);
}

/** A single-seller order paid with `card` on the hosted page, once the webhook made it paid. */
export async function paidOrder(t: TestApp, buyer: PrincipalWithKey, listingId: string, quantity = 1, card = '4242424242424242') {
  const res = await checkout(t, buyer, [{ listingId, quantity }]);
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
  const status = await payOnHostedPage(res.body.checkoutUrl, card);
  if (status !== 303) throw new Error(`hosted checkout answered ${status}`);
  return waitForOrder(t, res.body.orderId, (o) => o.status !== 'awaiting_payment' && o.chargeId !== null, 'order paid');
}

export interface BalanceComparison {
  balance: 'platform' | 'connected';
  sellerId: string | null;
  account: string | null;
  currency: string;
  ledger: { pending: string; available: string };
  stripe: { pending: string; available: string };
  difference: { pending: string; available: string };
  matches: boolean;
}

/** GET /admin/ledger/balance-check as an admin would read it. */
export async function balanceCheck(t: TestApp, query: { sellerId?: string; currency?: string } = {}): Promise<{ matches: boolean; balances: BalanceComparison[] }> {
  return (await t.http.get('/admin/ledger/balance-check').query(query).set(bearer(t.adminKey)).expect(200)).body;
}

/** The balances that differ, as a reader wants them named: balance, seller, currency, which side, by how much. */
export function describeMismatches(balances: BalanceComparison[]): string[] {
  return balances
    .filter((b) => !b.matches)
    .flatMap((b) =>
      (['pending', 'available'] as const)
        .filter((side) => b.difference[side] !== '0')
        .map(
          (side) =>
            `${b.balance}${b.sellerId ? ` seller ${b.sellerId} (${b.account})` : ''} ${b.currency} ${side}: ledger ${b.ledger[side]}, Stripe ${b.stripe[side]}, difference ${b.difference[side]}`,
        ),
    );
}

/**
 * The end of every money test: the books against Stripe's own balances. Moves the sandbox clock
 * past the funds' available_on (automatic payouts run at each day start on the way), lets every
 * webhook and worker finish, then the ledger's cash of every Stripe balance (the platform's and
 * each connected account's), pending and available per currency, must equal GET /v1/balance.
 */
export async function expectBooksMatchStripe(t: TestApp, opts: { advanceSeconds?: number; timeoutMs?: number } = {}): Promise<BalanceComparison[]> {
  if (opts.advanceSeconds !== 0) t.sandbox.control.advance(opts.advanceSeconds ?? 3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  let last: BalanceComparison[] = [];
  try {
    return await waitFor(
      async () => {
        const report = await balanceCheck(t);
        last = report.balances;
        return report.matches ? report.balances : undefined;
      },
      opts.timeoutMs ?? 15_000,
      'ledger matching Stripe balances',
    );
  } catch {
    throw new Error(`the ledger does not match Stripe:\n  ${describeMismatches(last).join('\n  ')}`);
  }
}
