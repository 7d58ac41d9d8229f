// Holds on multi-seller orders end to end: held transfers are not made before release; the buyer,
// an admin, the automatic release (after the seller's fulfilment) and the end of the hold release
// them; destination charges cannot be held. Real app, real PostgreSQL, the Stripe sandbox.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { CANCEL_URL, expectBooksMatchStripe, getOrder, paidOrder, payOnHostedPage, SUCCESS_URL, waitForOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, stripeTransfersOf, type TransferJson, twoSellerShop, type TwoSellerShop, waitForTransfers } from './support/transfers.js';

const DAY = 86_400;

let t: TestApp;
let sql: SqlClient;
let shop: TwoSellerShop;
let vase: string;
let lamp: string;

beforeAll(async () => {
  t = await startTestApp({
    env: { TRANSFERS_WORKER_POLL_MS: '50', TRANSFERS_HOLD_DAYS: '10', TRANSFERS_HOLD_MAX_DAYS: '30', TRANSFERS_AUTO_RELEASE_DAYS: '3' },
  });
  sql = sqlClient(t.databaseUrl);
  shop = await twoSellerShop(t);
  const listings = await sql.query<{ id: string; seller_id: string }>(`SELECT id, seller_id FROM listings`);
  vase = listings.find((l) => l.seller_id === shop.a.id)!.id;
  lamp = listings.find((l) => l.seller_id === shop.b.id)!.id;
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const cartItems = () => [
  { listingId: vase, quantity: 1 },
  { listingId: lamp, quantity: 1 },
];
const checkoutWith = (buyer: PrincipalWithKey, items: Array<{ listingId: string; quantity: number }>, extra: Record<string, unknown> = {}) =>
  t.http
    .post('/checkout')
    .set(bearer(buyer.key))
    .set('Idempotency-Key', randomUUID())
    .send({ items, successUrl: SUCCESS_URL, cancelUrl: CANCEL_URL, ...extra });

/** The two-seller cart checked out (with `extra`, e.g. holdDays) and paid. */
async function paidHeldCart(extra: Record<string, unknown> = {}, card = '4242424242424242') {
  const res = await checkoutWith(shop.buyer, cartItems(), extra);
  if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
  if ((await payOnHostedPage(res.body.checkoutUrl, card)) !== 303) throw new Error('hosted checkout did not pay');
  const order = await waitForOrder(t, res.body.orderId, (o) => (o.status === 'paid' || o.status === 'disputed') && o.transfers.length === 2, 'two-seller order paid, its transfers planned');
  // the hold is counted from the charge's created, on the sandbox's clock, which earlier daysPass moved ahead
  // of the database's: the deadlines are moved back by that lead, as daysPass moves them (whole seconds)
  await sql.query(
    `UPDATE transfers tr SET hold_until = tr.hold_until - (o.charge_created_at - date_trunc('second', o.paid_at)), hold_expires_at = tr.hold_expires_at - (o.charge_created_at - date_trunc('second', o.paid_at))
       FROM orders o WHERE o.id = tr.order_id AND o.id = $1 AND tr.released_at IS NULL AND tr.hold_until IS NOT NULL`,
    [order.id],
  );
  return getOrder(t, order.id);
}

const release = (orderId: string, key: string) => t.http.post(`/orders/${orderId}/release`).set(bearer(key));
const partOf = (transfers: TransferJson[], sellerId: string) => transfers.find((x) => x.sellerId === sellerId)!;

/** Lets the transfers worker run several rounds (it polls every 50 ms). */
const workerRounds = () => new Promise((r) => setTimeout(r, 600));

/**
 * `days` pass: the sandbox's clock moves on, and the app's deadlines (the database's clock, which
 * the worker compares with) are moved back as much for this order's held rows.
 */
async function daysPass(orderId: string, days: number) {
  t.sandbox.control.advance(days * DAY);
  await sql.query(
    `UPDATE transfers SET hold_until = hold_until - make_interval(days => $2), hold_expires_at = hold_expires_at - make_interval(days => $2),
                          fulfilled_at = fulfilled_at - make_interval(days => $2) WHERE order_id = $1 AND released_at IS NULL`,
    [orderId, days],
  );
}

describe('a held two-seller order', () => {
  it('is not transferred before release; the seller sees it held with its release date; the buyer confirms receipt -> both transfers made once', async () => {
    const order = await paidHeldCart();
    expect(order.holdDays).toBe(10); // TRANSFERS_HOLD_DAYS
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(0);
    const held = (await getOrder(t, order.id)).transfers as TransferJson[];
    const tenDays = Date.now() + 10 * DAY * 1000;
    for (const tr of held) {
      expect(tr).toMatchObject({ status: 'pending', held: true, stripeTransferId: null, attempts: 0 });
      expect(Math.abs(Date.parse(tr.hold.holdUntil) - tenDays)).toBeLessThan(60_000);
      expect(tr.hold).toMatchObject({ expiresAt: tr.hold.holdUntil, releasedAt: null, releaseReason: null, releasedBy: null });
    }
    const mine = (await t.http.get('/sellers/me/transfers').set(bearer(shop.a.key)).expect(200)).body.data.find((x: TransferJson) => x.orderId === order.id);
    expect(mine).toMatchObject({ sellerId: shop.a.id, held: true, hold: { holdUntil: partOf(held, shop.a.id).hold.holdUntil } });

    const res = await release(order.id, shop.buyer.key).expect(200);
    expect(res.body.transfers).toHaveLength(2);
    for (const tr of res.body.transfers) {
      expect(tr.held).toBe(false);
      expect(tr.hold).toMatchObject({ receivedBy: shop.buyer.id, releaseReason: 'buyer', releasedBy: shop.buyer.id, releasedByRole: 'buyer' });
    }
    const made = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'both transfers made after the release');
    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe).toHaveLength(2);
    for (const tr of atStripe) expect(tr).toMatchObject({ source_transaction: order.chargeId, transfer_group: order.id });

    // a repeat is a no-op answer: same release, no third transfer
    const again = await release(order.id, shop.buyer.key).expect(200);
    expect(again.body.transfers.map((x: TransferJson) => x.hold.releasedAt).sort()).toEqual(made.map((x) => x.hold.releasedAt).sort());
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });

  it('the seller marks their part fulfilled (recorded, still held, released sooner), then the buyer confirms -> made exactly once', async () => {
    const order = await paidHeldCart({ holdDays: 20 });
    expect(order.holdDays).toBe(20);
    const res = await release(order.id, shop.a.key).expect(200);
    // a seller sees only their own part: fulfilled, still held, its automatic release 3 days away
    expect(res.body.transfers).toHaveLength(1);
    const aPart = res.body.transfers[0];
    expect(aPart).toMatchObject({ sellerId: shop.a.id, held: true, hold: { fulfilledBy: shop.a.id, releasedAt: null } });
    expect(Math.abs(Date.parse(aPart.hold.holdUntil) - (Date.now() + 3 * DAY * 1000))).toBeLessThan(60_000);
    // the other seller's part is untouched
    const bPart = partOf((await getOrder(t, order.id)).transfers, shop.b.id);
    expect(bPart.hold).toMatchObject({ fulfilledAt: null, fulfilledBy: null });
    expect(Math.abs(Date.parse(bPart.hold.holdUntil) - (Date.now() + 20 * DAY * 1000))).toBeLessThan(60_000);
    // a repeat by the seller changes nothing
    expect((await release(order.id, shop.a.key).expect(200)).body.transfers[0].hold).toEqual(aPart.hold);
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(0);

    await release(order.id, shop.buyer.key).expect(200);
    const made = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'both transfers made');
    expect(made.map((x) => x.hold.releaseReason)).toEqual(['buyer', 'buyer']);
    expect(partOf(made, shop.a.id).hold).toMatchObject({ fulfilledBy: shop.a.id, receivedBy: shop.buyer.id });
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });

  it('an admin releases -> made once, recorded with the admin', async () => {
    const order = await paidHeldCart();
    const admin = (await t.http.get('/me').set(bearer(t.adminKey)).expect(200)).body;
    const res = await release(order.id, t.adminKey).expect(200);
    for (const tr of res.body.transfers) expect(tr.hold).toMatchObject({ releaseReason: 'admin', releasedBy: admin.id, releasedByRole: 'admin', receivedAt: null });
    await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'both transfers made');
    await release(order.id, t.adminKey).expect(200);
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });

  it('released on its own TRANSFERS_AUTO_RELEASE_DAYS after the seller fulfilled; the unfulfilled part at the end of the hold (max_hold, listed for admins)', async () => {
    const order = await paidHeldCart();
    await release(order.id, shop.a.key).expect(200);
    await daysPass(order.id, 2);
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(0);

    await daysPass(order.id, 1); // 3 days after the fulfilment: A's part goes
    const aMade = await waitFor(
      async () => {
        const tr = partOf((await getOrder(t, order.id)).transfers, shop.a.id);
        return tr.status === 'succeeded' ? tr : undefined;
      },
      15_000,
      'A released automatically',
    );
    expect(aMade.hold).toMatchObject({ releaseReason: 'auto', releasedBy: null });
    expect(partOf((await getOrder(t, order.id)).transfers, shop.b.id)).toMatchObject({ status: 'pending', held: true });
    expect((await stripeTransfersOf(t, order.id)).map((x) => x.destination)).toEqual([shop.a.account]);

    await daysPass(order.id, 7); // 10 days after payment: the end of the hold, nobody released B's part
    const made = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'B transferred at the end of the hold');
    expect(partOf(made, shop.b.id).hold).toMatchObject({ releaseReason: 'max_hold', releasedBy: null, fulfilledAt: null });
    const listed = (await adminTransfers(t, { sellerId: shop.b.id })).find((x) => x.orderId === order.id)!;
    expect(listed.hold.releaseReason).toBe('max_hold');
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });
});

describe('a held order under dispute', () => {
  it('is not released automatically while a dispute is open (the buyer may be owed it back); once the dispute is won it is', async () => {
    const order = await paidHeldCart({}, '4000000000000259'); // the sandbox opens a dispute on this card's charge
    const disputed = await waitForOrder(t, order.id, (o) => o.disputes.length === 1, 'dispute opened');
    await release(order.id, shop.a.key).expect(200); // A marks their part fulfilled: its automatic release is 3 days away
    await daysPass(order.id, 4);
    await workerRounds();
    expect(partOf((await getOrder(t, order.id)).transfers, shop.a.id)).toMatchObject({ status: 'pending', held: true, hold: { releasedAt: null } });
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(0);

    const dp = disputed.disputes[0].stripeDisputeId;
    const closed = await fetch(`${t.sandbox.url}/_sandbox/disputes/${dp}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'won' }) });
    expect(closed.status).toBe(200);
    await waitForOrder(t, order.id, (o) => o.disputes[0].closedAt !== null, 'dispute closed');
    const aMade = await waitFor(
      async () => {
        const tr = partOf((await getOrder(t, order.id)).transfers, shop.a.id);
        return tr.status === 'succeeded' ? tr : undefined;
      },
      15_000,
      'A released automatically once the dispute is won',
    );
    expect(aMade.hold).toMatchObject({ releaseReason: 'auto' });
    expect(partOf((await getOrder(t, order.id)).transfers, shop.b.id)).toMatchObject({ status: 'pending', held: true });
    await expectBooksMatchStripe(t);
  });
});

describe('releases at once', () => {
  it('the buyer, an admin and both sellers all at the same moment: each part released once, each transfer made once', async () => {
    const order = await paidHeldCart();
    const answers = await Promise.all([shop.buyer.key, t.adminKey, shop.a.key, shop.b.key, shop.buyer.key].map((key) => release(order.id, key)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const made = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'both transfers made');
    for (const tr of made) expect(['buyer', 'admin']).toContain(tr.hold.releaseReason);
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(2);
    await expectBooksMatchStripe(t);
  });
});

describe('who may release', () => {
  it("another buyer's or an uninvolved seller's release is 404; nothing moves", async () => {
    const order = await paidHeldCart();
    const stranger = await createPrincipal(t, 'buyer');
    const otherSeller = await createActiveSeller(t, 'Seller C');
    expect((await release(order.id, stranger.key).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await release(order.id, otherSeller.key).expect(404)).body.error.code).toBe('NOT_FOUND');
    expect((await release(randomUUID(), shop.buyer.key).expect(404)).body.error.code).toBe('NOT_FOUND');
    const rows = (await getOrder(t, order.id)).transfers as TransferJson[];
    for (const tr of rows) expect(tr).toMatchObject({ held: true, hold: { fulfilledAt: null, receivedAt: null, releasedAt: null } });
    await workerRounds();
    expect(await stripeTransfersOf(t, order.id)).toHaveLength(0);
    // tidy: the admin releases it so the books close
    await release(order.id, t.adminKey).expect(200);
    await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'released by the admin');
    await expectBooksMatchStripe(t);
  });
});

describe('an unpaid order', () => {
  it('cannot be released yet: 409 TRANSFERS.ORDER_NOT_PAID', async () => {
    const res = await checkoutWith(shop.buyer, cartItems(), { holdDays: 5 }).expect(201);
    expect((await release(res.body.orderId, shop.buyer.key).expect(409)).body.error.code).toBe('TRANSFERS.ORDER_NOT_PAID');
    expect((await release(res.body.orderId, shop.a.key).expect(409)).body.error.code).toBe('TRANSFERS.ORDER_NOT_PAID');
  });
});

describe('holds refused', () => {
  const ordersOf = async (buyerId: string) => Number((await sql.one<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE buyer_id = $1`, [buyerId])).n);

  it('a one-seller cart (a destination charge) with holdDays > 0: 422 CHECKOUT.HOLD_NOT_SUPPORTED, nothing created', async () => {
    const before = await ordersOf(shop.buyer.id);
    const res = await checkoutWith(shop.buyer, [{ listingId: vase, quantity: 1 }], { holdDays: 5 }).expect(422);
    expect(res.body.error).toMatchObject({ code: 'CHECKOUT.HOLD_NOT_SUPPORTED', details: { sellers: 1, holdDays: 5 } });
    expect(await ordersOf(shop.buyer.id)).toBe(before);
  });

  it('a hold beyond TRANSFERS_HOLD_MAX_DAYS: 422 CHECKOUT.HOLD_OUT_OF_BOUNDS; a negative or fractional one: 400; nothing created', async () => {
    const before = await ordersOf(shop.buyer.id);
    const res = await checkoutWith(shop.buyer, cartItems(), { holdDays: 31 }).expect(422);
    expect(res.body.error).toMatchObject({ code: 'CHECKOUT.HOLD_OUT_OF_BOUNDS', details: { holdDays: 31, min: 0, max: 30 } });
    expect((await checkoutWith(shop.buyer, cartItems(), { holdDays: -1 }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await checkoutWith(shop.buyer, cartItems(), { holdDays: 1.5 }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect(await ordersOf(shop.buyer.id)).toBe(before);
    expect(await sql.query(`SELECT id FROM transfers WHERE order_id IN (SELECT id FROM orders WHERE buyer_id = $1) AND hold_expires_at > now() + interval '30 days'`, [shop.buyer.id])).toEqual([]);
  });

  it('a destination-charge order is never held (the platform hold does not apply), and its release is 422 TRANSFERS.HOLD_NOT_SUPPORTED', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const single = await createActiveSeller(t, 'Seller D');
    const listing = await createListing(t, single, { unitAmount: 2_000 });
    const order = await paidOrder(t, buyer, listing);
    expect(order).toMatchObject({ chargeType: 'destination', holdDays: 0, transfers: [] });
    expect((await release(order.id, buyer.key).expect(422)).body.error.code).toBe('TRANSFERS.HOLD_NOT_SUPPORTED');
    expect((await release(order.id, t.adminKey).expect(422)).body.error.code).toBe('TRANSFERS.HOLD_NOT_SUPPORTED');
    await expectBooksMatchStripe(t);
  });

  it('holdDays 0 on a multi-seller cart: transferred at once; a release is 422 TRANSFERS.NOT_HELD', async () => {
    const order = await paidHeldCart({ holdDays: 0 });
    expect(order.holdDays).toBe(0);
    const made = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'transferred without a hold');
    for (const tr of made) expect(tr).toMatchObject({ held: false, hold: null });
    expect((await release(order.id, shop.buyer.key).expect(422)).body.error.code).toBe('TRANSFERS.NOT_HELD');
    await expectBooksMatchStripe(t);
  });
});
