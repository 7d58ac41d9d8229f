// Refunds of multi-seller orders end to end: the platform's refund, each seller's part lowered or
// reversed in proportion, a reversal the seller's balance cannot cover recorded as their debt and
// netted from their next transfer. Real app, real PostgreSQL, the Stripe sandbox. The transfers
// worker is driven by the test (drain) so "before the transfer" is reliable.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf, twoSellerShop, type TwoSellerShop } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  // the worker's own loop sleeps an hour: every round here is the test's
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t?.sandbox.control.clearFaults());

/**
 * Moves the sandbox clock past the funds' availability and drains until no reversal waits for
 * funds any more (balance.available, processed from the inbox, makes waiting reversals due).
 */
async function fundsAvailable(): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitFor(
    async () => {
      await drain();
      const [row]: Array<{ n: number }> = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM transfer_reversals WHERE status IN ('pending', 'submitting')`);
      return row!.n === 0 ? true : undefined;
    },
    20_000,
    'no reversal waiting for funds',
  );
}

/** Runs the transfers and reversals workers until neither has anything due. */
async function drain(): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  for (let i = 0; i < 50; i++) {
    const worked = (await transfers.runOnce()) + (await reversals.runOnce());
    if (worked === 0) return;
  }
  throw new Error('workers never drained');
}

/** A two-seller shop whose sellers keep their funds on their balances (manual payouts): Stripe reverses only within the available balance. */
async function manualPayoutShop(): Promise<TwoSellerShop> {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  return shop;
}

const refund = (orderId: string, body: object, key = randomUUID()) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', key).send(body);

async function reversalsAtStripe(transferId: string) {
  return (await t.stripe.transfers.listReversals(transferId, { limit: 100 })).data;
}

// biome-ignore lint/suspicious/noExplicitAny: the order's JSON
const partOf = (order: Record<string, any>, sellerId: string) => order.transferReversals.filter((r: { sellerId: string }) => r.sellerId === sellerId);

describe('refunds of a two-seller order (A 1000: share 900, B 3000: share 2700, gross 4000)', () => {
  let shop: TwoSellerShop;
  beforeAll(async () => {
    shop = await manualPayoutShop();
  });

  it('a partial refund after the transfers: the platform refunds, each transfer reversed in proportion (225 + 675 = 3600 × 1000 / 4000), sums exact at the sandbox', async () => {
    const order = await shop.cart();
    await drain();
    const transfers = (await getOrder(t, order.id)).transfers;
    expect(transfers.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);

    const res = await refund(order.id, { amount: '1000' }).expect(201);
    expect(res.body.status).toBe('succeeded');
    const stripeRefund = await t.stripe.refunds.retrieve(res.body.stripeRefundId);
    expect(stripeRefund).toMatchObject({ amount: 1000, charge: order.chargeId });
    expect(stripeRefund.transfer_reversal ?? null).toBeNull();
    // the sellers' funds are still pending (they follow the charge's): Stripe reverses only within
    // the available balance, so the reversals wait for them (balance_insufficient, retried)
    await drain();
    expect(partOf(await getOrder(t, order.id), shop.a.id)[0]).toMatchObject({ status: 'pending', failureCode: 'balance_insufficient' });
    await fundsAvailable();

    const after = await getOrder(t, order.id);
    const aRow = transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
    const bRow = transfers.find((x: { sellerId: string }) => x.sellerId === shop.b.id);
    expect(partOf(after, shop.a.id)).toEqual([expect.objectContaining({ kind: 'reversal', status: 'succeeded', amount: '225', refundId: res.body.id })]);
    expect(partOf(after, shop.b.id)).toEqual([expect.objectContaining({ kind: 'reversal', status: 'succeeded', amount: '675', refundId: res.body.id })]);
    const atA = await reversalsAtStripe(aRow.stripeTransferId);
    const atB = await reversalsAtStripe(bRow.stripeTransferId);
    expect(atA.map((r) => r.amount)).toEqual([225]);
    expect(atB.map((r) => r.amount)).toEqual([675]);
    expect(atA[0]!.metadata).toEqual({ order_id: order.id, seller_id: shop.a.id, refund_id: res.body.id, transfer_reversal_id: partOf(after, shop.a.id)[0].id });
    expect(partOf(after, shop.a.id)[0].stripeReversalId).toBe(atA[0]!.id);

    // a seller sees only their own part
    const asA = await getOrder(t, order.id, shop.a.key);
    expect(asA.transferReversals.map((r: { sellerId: string }) => r.sellerId)).toEqual([shop.a.id]);

    // the books: each seller bore their part, the platform the rest (its fee and Stripe's fee part: 100)
    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'refund_losses')).toBe(100n);
    expect(sumLines(entries, 'seller_payable_available', shop.a.id) + sumLines(entries, 'seller_payable_pending', shop.a.id)).toBe(-(900n - 225n));

    // the rest, in full: the reversals take back exactly what is left of each transfer
    const rest = await refund(order.id, { full: true }).expect(201);
    await drain();
    await fundsAvailable();
    expect((await reversalsAtStripe(aRow.stripeTransferId)).reduce((s, r) => s + r.amount, 0)).toBe(900);
    expect((await reversalsAtStripe(bRow.stripeTransferId)).reduce((s, r) => s + r.amount, 0)).toBe(2700);
    const full = await getOrder(t, order.id);
    expect(full.status).toBe('refunded');
    expect(
      full.transferReversals
        .filter((r: { refundId: string }) => r.refundId === rest.body.id)
        .map((r: { amount: string }) => r.amount)
        .sort(),
    ).toEqual(['2025', '675']);
    expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(400n);
    await expectBooksMatchStripe(t);
  });

  it('a refund before the transfers lowers them (stored Stripe params too); a full one cancels them: nothing is sent', async () => {
    const order = await shop.cart();
    const res = await refund(order.id, { amount: '1000' }).expect(201);
    let now = await getOrder(t, order.id);
    // biome-ignore lint/suspicious/noExplicitAny: the order's JSON
    const bySeller = (xs: Array<Record<string, any>>) => [...xs].sort((x, y) => (x.sellerId === shop.a.id ? -1 : y.sellerId === shop.a.id ? 1 : 0));
    expect(bySeller(now.transferReversals).map((r) => [r.kind, r.status, r.amount])).toEqual([
      ['lowering', 'succeeded', '225'],
      ['lowering', 'succeeded', '675'],
    ]);
    expect(bySeller(now.transfers).map((x) => [x.amount, x.status])).toEqual([
      ['675', 'pending'],
      ['2025', 'pending'],
    ]);
    await drain();
    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe.map((x) => x.amount).sort((x, y) => x - y)).toEqual([675, 2025]);
    expect(res.body.status).toBe('succeeded');

    const second = await shop.cart();
    await refund(second.id, { full: true }).expect(201);
    now = await getOrder(t, second.id);
    expect(now.transfers.map((x: { amount: string; status: string }) => [x.amount, x.status])).toEqual([
      ['0', 'canceled'],
      ['0', 'canceled'],
    ]);
    await drain();
    expect(await stripeTransfersOf(t, second.id)).toEqual([]);
    const entries = await ledgerEntries(t, second.id);
    for (const s of [shop.a, shop.b]) expect(sumLines(entries, 'seller_payable_pending', s.id)).toBe(0n);
    await expectBooksMatchStripe(t);
  });

  it('the reversal call lost (made at Stripe, answer lost) and a 500: looked up or retried with the same key, made once', async () => {
    const order = await shop.cart();
    await drain();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'lose_response', count: 1 });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'error_500', count: 1 });
    await fundsAvailable();
    await refund(order.id, { amount: '2000' }).expect(201);
    // retries wait TRANSFERS_RETRY_BASE_MS (20 ms in tests): drain until both reversals are made
    await waitFor(
      async () => {
        await drain();
        const o = await getOrder(t, order.id);
        return o.transferReversals.length === 2 && o.transferReversals.every((r: { status: string }) => r.status === 'succeeded') ? o : undefined;
      },
      20_000,
      'both reversals made',
    );
    for (const tr of (await getOrder(t, order.id)).transfers) {
      const made = await reversalsAtStripe(tr.stripeTransferId);
      expect(made).toHaveLength(1);
    }
    await expectBooksMatchStripe(t);
  });
});

describe('crash safety and the API key binding', () => {
  let shop: TwoSellerShop;
  beforeAll(async () => {
    shop = await manualPayoutShop();
  });

  it('a crash after Stripe made the reversal and before the commit: the next round looks it up and books it, made once', async () => {
    const order = await shop.cart();
    await drain();
    await fundsAvailable();
    const db = t.app.get(DataSource);
    // the refund settles; its reversals are due: a worker's transaction 1 marks A's submitting, Stripe makes it, the process dies
    await refund(order.id, { amount: '4000' }).expect(201);
    const [row]: Array<{ id: string; refund_id: string; seller_id: string; order_id: string; amount: string; idempotency_key: string }> = await db.query(
      `SELECT id, refund_id, seller_id, order_id, amount::text, idempotency_key FROM transfer_reversals WHERE order_id = $1 AND seller_id = $2`,
      [order.id, shop.a.id],
    );
    const aTransfer = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
    const metadata = { order_id: order.id, seller_id: shop.a.id, refund_id: row!.refund_id, transfer_reversal_id: row!.id };
    await db.query(`UPDATE transfer_reversals SET status = 'submitting', key_first_sent_at = now(), next_attempt_at = now() - interval '1 second', stripe_params = $2 WHERE id = $1`, [
      row!.id,
      JSON.stringify({ transfer: aTransfer.stripeTransferId, amount: row!.amount, metadata }),
    ]);
    await t.stripe.transfers.createReversal(aTransfer.stripeTransferId, { amount: Number(row!.amount), metadata }, { idempotencyKey: row!.idempotency_key });
    await drain();
    const made = await reversalsAtStripe(aTransfer.stripeTransferId);
    expect(made).toHaveLength(1);
    expect(partOf(await getOrder(t, order.id), shop.a.id)[0]).toMatchObject({ status: 'succeeded', stripeReversalId: made[0]!.id, amount: '900' });
    await expectBooksMatchStripe(t);
  });

  it('the refund API binds an Idempotency-Key to the refund row: a retry answers the same refund, one refund and one reversal per seller', async () => {
    const order = await shop.cart();
    await drain();
    const key = randomUUID();
    const first = await refund(order.id, { amount: '400' }, key).expect(201);
    const again = await refund(order.id, { amount: '400' }, key).expect(201);
    expect(again.body.id).toBe(first.body.id);
    expect((await t.stripe.refunds.list({ charge: order.chargeId })).data).toHaveLength(1);
    const o = await getOrder(t, order.id);
    expect(o.transferReversals.map((r: { refundId: string }) => r.refundId)).toEqual([first.body.id, first.body.id]);
    expect(o.amountRefunded).toBe('400');
    await fundsAvailable();
    await expectBooksMatchStripe(t);
  });
});

describe('a refund after a seller was paid out: their debt, netted from their next transfer', () => {
  it('A drained by a payout -> A reversal refused (balance_insufficient) -> debt recorded and shown; B reversed; the next order nets it; cleared', async () => {
    const shop = await manualPayoutShop();
    const order = await shop.cart();
    await drain();
    await expectBooksMatchStripe(t); // the funds become available (3 days on the sandbox clock)
    const account = shop.a.account;
    const balance = await t.stripe.balance.retrieve({}, { stripeAccount: account });
    const available = balance.available.find((b) => b.currency === 'usd')!.amount;
    expect(available).toBe(900);
    await t.stripe.payouts.create({ amount: available, currency: 'usd' }, { stripeAccount: account });
    await expectBooksMatchStripe(t, { advanceSeconds: 0 });

    const res = await refund(order.id, { amount: '4000' }).expect(201);
    await drain();
    const after = await getOrder(t, order.id);
    expect(partOf(after, shop.a.id)).toEqual([expect.objectContaining({ status: 'debt', amount: '900', failureCode: 'balance_insufficient' })]);
    expect(partOf(after, shop.b.id)).toEqual([expect.objectContaining({ status: 'succeeded', amount: '2700' })]);
    const aTransfer = after.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
    expect(await reversalsAtStripe(aTransfer.stripeTransferId)).toEqual([]);

    const debts = (await t.http.get('/admin/seller-debts').query({ sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data;
    expect(debts).toEqual([
      expect.objectContaining({ sellerId: shop.a.id, amount: '900', recovered: '0', outstanding: '900', currency: 'USD', originType: 'transfer_reversal', orderId: order.id, recoveries: [] }),
    ]);
    const mine = (await t.http.get('/sellers/me/debts').set(bearer(shop.a.key)).expect(200)).body.data;
    expect(mine.map((d: { id: string }) => d.id)).toEqual([debts[0].id]);
    expect((await t.http.get('/sellers/me/debts').set(bearer(shop.b.key)).expect(200)).body.data).toEqual([]);
    expect((await t.http.get('/admin/seller-debts').set(bearer(shop.a.key))).status).toBe(403);
    let entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'seller_debts', shop.a.id)).toBe(900n);
    await expectBooksMatchStripe(t, { advanceSeconds: 0 });
    expect(res.body.status).toBe('succeeded');

    // the next order: A's transfer is lowered by the debt before it is made
    const next = await shop.cart();
    const planned = (await getOrder(t, next.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
    expect(planned).toMatchObject({ amount: '0', status: 'canceled' });
    await drain();
    const atStripe = await stripeTransfersOf(t, next.id);
    expect(atStripe.map((x) => [x.destination, x.amount])).toEqual([[shop.b.account, 2700]]);
    const cleared = (await t.http.get('/admin/seller-debts').query({ sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data;
    expect(cleared[0]).toMatchObject({ recovered: '900', outstanding: '0', recoveries: [expect.objectContaining({ transferId: planned.id, amount: '900' })] });
    expect(cleared[0].clearedAt).not.toBeNull();
    expect((await t.http.get('/admin/seller-debts').query({ open: 'true', sellerId: shop.a.id }).set(bearer(t.adminKey)).expect(200)).body.data).toEqual([]);
    entries = [...(await ledgerEntries(t, order.id)), ...(await ledgerEntries(t, next.id))];
    expect(sumLines(entries, 'seller_debts', shop.a.id)).toBe(0n);

    // a third order: A is paid in full again
    const third = await shop.cart();
    await drain();
    expect((await stripeTransfersOf(t, third.id)).map((x) => x.amount).sort((x, y) => x - y)).toEqual([900, 2700]);
    await expectBooksMatchStripe(t);
  });
});
