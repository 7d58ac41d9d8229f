// Transfers of multi-seller orders end to end: real app, real PostgreSQL, the Stripe sandbox.
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, paidCart, stripeTransfersOf, waitForTransfers } from './support/transfers.js';

describe.each(['platform', 'sellers'] as const)('a two-seller order, MULTI_SELLER_STRIPE_FEE=%s', (policy) => {
  let t: TestApp;
  let a: ActiveSeller;
  let b: ActiveSeller;
  let buyer: PrincipalWithKey;

  beforeAll(async () => {
    t = await startTestApp({ env: { MULTI_SELLER_STRIPE_FEE: policy, TRANSFERS_WORKER_POLL_MS: '50' } });
    a = await createActiveSeller(t, 'Seller A');
    b = await createActiveSeller(t, 'Seller B');
    buyer = await createPrincipal(t, 'buyer');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('paid -> one transfer per seller at Stripe with source_transaction and transfer_group; transfers + fees (+ Stripe fee) = gross; books match Stripe', async () => {
    const vase = await createListing(t, a, { unitAmount: 1_000, title: 'Vase' });
    const lamp = await createListing(t, b, { unitAmount: 3_000, title: 'Lamp' });
    const order = await paidCart(t, buyer, [
      { listingId: vase, quantity: 1 },
      { listingId: lamp, quantity: 2 },
    ]);
    const transfers = await waitForTransfers(t, order.id, (tr) => tr.status === 'succeeded', 'both transfers made');
    expect(transfers).toHaveLength(2);

    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe).toHaveLength(2);
    for (const tr of atStripe) {
      expect(tr).toMatchObject({ source_transaction: order.chargeId, transfer_group: order.id, currency: 'usd' });
      const row = transfers.find((x) => x.id === tr.metadata.transfer_id)!;
      expect(tr.metadata).toEqual({ order_id: order.id, seller_id: row.sellerId, transfer_id: row.id });
      expect(row).toMatchObject({ stripeTransferId: tr.id, amount: String(tr.amount), destination: tr.destination });
    }
    const charge = await t.stripe.charges.retrieve(order.chargeId, { expand: ['balance_transaction'] });
    const stripeFee = BigInt((charge.balance_transaction as { fee: number }).fee);
    const sum = (xs: bigint[]) => xs.reduce((s, x) => s + x, 0n);
    const transferred = sum(atStripe.map((tr) => BigInt(tr.amount)));
    const fees = sum(order.sellers.map((s: { fee: string }) => BigInt(s.fee)));
    const borne = sum(transfers.map((x) => BigInt(x.stripeFeeShare)));
    expect(transferred + fees + borne).toBe(7_000n);
    if (policy === 'platform') expect(borne).toBe(0n);
    else expect(borne).toBe(stripeFee);
    const byseller = (id: string) => transfers.find((x) => x.sellerId === id)!;
    expect(BigInt(byseller(a.id).amount) + BigInt(byseller(a.id).stripeFeeShare)).toBe(900n);
    expect(BigInt(byseller(b.id).amount) + BigInt(byseller(b.id).stripeFeeShare)).toBe(5_400n);

    // the ledger: each seller owed exactly what their balance received, the platform's Stripe fee per policy
    const entries = await ledgerEntries(t, order.id);
    for (const s of [a, b]) {
      const owed = sumLines(entries, 'seller_payable_pending', s.id) + sumLines(entries, 'seller_payable_available', s.id);
      expect(-owed).toBe(BigInt(byseller(s.id).amount));
    }
    expect(sumLines(entries, 'stripe_processing_fees')).toBe(policy === 'platform' ? stripeFee : 0n);

    // a seller sees only their own transfer, on the order and in their list
    const asA = await getOrder(t, order.id, a.key);
    expect(asA.transfers.map((x: { sellerId: string }) => x.sellerId)).toEqual([a.id]);
    const mine = (await t.http.get('/sellers/me/transfers').set(bearer(b.key)).expect(200)).body;
    expect(mine.data.map((x: { orderId: string; sellerId: string }) => [x.orderId, x.sellerId])).toEqual([[order.id, b.id]]);
    expect(mine).toMatchObject({ hasMore: false, nextCursor: null });
    expect((await t.http.get('/admin/transfers').set(bearer(a.key))).status).toBe(403);
    expect((await t.http.get('/sellers/me/transfers').set(bearer(buyer.key))).status).toBe(403);

    await expectBooksMatchStripe(t);
  });

  it('lists page by cursor, filter by status and seller; a seller lists only their own', async () => {
    const all = await adminTransfers(t);
    expect(all.length).toBeGreaterThanOrEqual(2);
    // limit=1: every transfer once, newest first, then hasMore false
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await t.http
          .get('/admin/transfers')
          .query({ limit: 1, ...(cursor ? { startingAfter: cursor } : {}) })
          .set(bearer(t.adminKey))
          .expect(200)
      ).body;
      expect(page.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.data.map((x: { id: string }) => x.id));
      cursor = page.nextCursor ?? undefined;
      if (!page.hasMore) expect(page.nextCursor).toBeNull();
    } while (cursor);
    expect(seen).toEqual(all.map((x) => x.id));
    expect((await adminTransfers(t, { sellerId: a.id })).every((x) => x.sellerId === a.id)).toBe(true);
    expect((await adminTransfers(t, { status: 'succeeded', sellerId: b.id })).map((x) => x.id)).toEqual(all.filter((x) => x.sellerId === b.id).map((x) => x.id));
    expect(await adminTransfers(t, { status: 'failed' })).toEqual([]);
    expect((await t.http.get('/admin/transfers?status=bogus').set(bearer(t.adminKey)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await t.http.get('/admin/transfers?startingAfter=nope').set(bearer(t.adminKey)).expect(400)).body.error.code).toBe('PAGINATION.INVALID_CURSOR');
    const mine = (await t.http.get('/sellers/me/transfers').set(bearer(a.key)).expect(200)).body.data;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((x: { sellerId: string }) => x.sellerId === a.id)).toBe(true);
    // sellerId is not a filter a seller has on their own list: refused
    expect((await t.http.get(`/sellers/me/transfers?sellerId=${b.id}`).set(bearer(a.key))).status).toBe(400);
  });
});
