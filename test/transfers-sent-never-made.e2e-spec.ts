// Transfers sent to Stripe once (their answer lost, or a 500) that then never reach the seller.
// A refund's reversal of one Stripe refused for good has nothing to reverse: it must not wait
// forever, it is settled as the lowering the planner would have planned had it known (the failed
// transfer is lowered, an admin retry sends the rest), booked from the seller's platform-held
// payable. An admin's cancel of one looks the transfer up at Stripe first: made, it is recorded
// succeeded (409 TRANSFERS.MADE_AT_STRIPE); not made and the seller cannot receive transfers, it is
// canceled (the share stays owed); not made, its key fresh and the seller active, 409
// TRANSFERS.MAY_STILL_BE_MADE. Real app, real PostgreSQL, the Stripe sandbox; the workers are the test's.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { setTransfersCapability } from './support/onboarding.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, fundsAvailable, manualPayoutShop, stripeTransfersOf } from './support/transfers.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  // one attempt per gateway call: a fault is the call's whole answer; a row not finished is due again at once
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000', STRIPE_MAX_RETRIES: '0', TRANSFERS_RETRY_BASE_MS: '0' } });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => t?.sandbox.control.clearFaults());

// biome-ignore lint/suspicious/noExplicitAny: the order's JSON
const ofSeller = (xs: Array<Record<string, any>>, sellerId: string) => xs.find((x) => x.sellerId === sellerId)!;

describe("a reversal of a transfer sent but then refused for good (B's account lost its transfers capability)", () => {
  it('is settled without a Stripe call as a lowering of that transfer; an admin retry sends the rest; the books match Stripe', async () => {
    const shop = await manualPayoutShop(t);
    const setTransfers = (requested: boolean) => setTransfersCapability(t, shop.b.account, requested);
    const order = await shop.cart();
    // both transfers sent once, their answers a 500: sent, outcome unknown
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'error_500', count: 2 });
    await t.app.get(TransferSubmissionService).runOnce();
    expect((await getOrder(t, order.id)).transfers.map((x: { status: string }) => x.status)).toEqual(['pending', 'pending']);
    // a refund now plans reversals of both (they may have been made)
    const refund = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
    expect((await getOrder(t, order.id)).transferReversals.map((r: { kind: string }) => r.kind)).toEqual(['reversal', 'reversal']);

    // B can no longer receive transfers (our books not told yet): Stripe refuses B's transfer for good
    t.sandbox.control.setWebhookFaults({ outage: true });
    try {
      await setTransfers(false);
      await drainTransferWorkers(t);
      let now = await getOrder(t, order.id);
      expect(ofSeller(now.transfers, shop.b.id)).toMatchObject({ status: 'failed' });
      t.sandbox.control.advance(3 * 86_400);
      await drainTransferWorkers(t);
      now = await getOrder(t, order.id);
      // B's part: nothing to reverse, the failed transfer is lowered by it instead
      expect(ofSeller(now.transferReversals, shop.b.id)).toMatchObject({ kind: 'lowering', status: 'succeeded', amount: '675' });
      expect(ofSeller(now.transfers, shop.b.id)).toMatchObject({ status: 'failed', amount: '2025' });
      await setTransfers(true);
    } finally {
      t.sandbox.control.releaseWebhooks();
    }
    await waitFor(async () => ((await t.http.get('/sellers/me').set(bearer(shop.b.key))).body.status === 'active' ? true : undefined), 15_000, 'seller B active');
    const bRow = ofSeller((await getOrder(t, order.id)).transfers, shop.b.id);
    await t.http.post(`/admin/transfers/${bRow.id}/retry`).set(bearer(t.adminKey)).expect(200);
    await fundsAvailable(t);
    const now = await getOrder(t, order.id);
    expect(ofSeller(now.transfers, shop.b.id)).toMatchObject({ status: 'succeeded', amount: '2025' });
    expect(ofSeller(now.transferReversals, shop.a.id)).toMatchObject({ kind: 'reversal', status: 'succeeded', amount: '225' });
    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe.map((x) => [x.destination, x.amount - x.amount_reversed]).sort()).toEqual(
      [
        [shop.a.account, 675],
        [shop.b.account, 2025],
      ].sort(),
    );
    const entries = await ledgerEntries(t, order.id);
    expect(sumLines(entries, 'refund_losses')).toBe(100n);
    expect(refund.body.status).toBe('succeeded');
    await expectBooksMatchStripe(t);
  });
});

const cancel = (id: string) => t.http.post(`/admin/transfers/${id}/cancel`).set(bearer(t.adminKey));

describe('an admin cancel of a transfer sent to Stripe once', () => {
  it("made at Stripe (answer lost): recorded succeeded, 409; not made while the seller can receive transfers: 409; not made and the seller cannot: canceled, and its reversal waits out Stripe's key memory, then lowers it instead", async () => {
    const shop = await manualPayoutShop(t);
    const made = await shop.cart();
    // made at Stripe, the answers lost; its transfer.created events held back, so only a look-up can know
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 2 });
    await t.app.get(TransferSubmissionService).runOnce();
    const aMade = ofSeller((await getOrder(t, made.id)).transfers, shop.a.id);
    expect(aMade).toMatchObject({ status: 'pending' });
    const res = await cancel(aMade.id).expect(409);
    t.sandbox.control.releaseWebhooks();
    expect(res.body.error).toMatchObject({ code: 'TRANSFERS.MADE_AT_STRIPE' });
    expect(ofSeller((await getOrder(t, made.id)).transfers, shop.a.id)).toMatchObject({ status: 'succeeded', stripeTransferId: res.body.error.details.stripeTransferId });

    const notMade = await shop.cart();
    t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'error_500', count: 2 });
    await t.app.get(TransferSubmissionService).runOnce();
    const rows = (await getOrder(t, notMade.id)).transfers;
    expect(rows.map((x: { status: string }) => x.status)).toEqual(['pending', 'pending']);
    expect((await cancel(ofSeller(rows, shop.a.id).id).expect(409)).body.error).toMatchObject({ code: 'TRANSFERS.MAY_STILL_BE_MADE' });
    // a refund now plans a reversal of each (both may have been made)
    await t.http.post(`/orders/${notMade.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
    expect((await getOrder(t, notMade.id)).transferReversals.map((r: { kind: string }) => r.kind)).toEqual(['reversal', 'reversal']);

    // B can no longer receive transfers: B's row, never made, is canceled; its share stays owed
    await setTransfersCapability(t, shop.b.account, false);
    await waitFor(async () => ((await t.http.get('/sellers/me').set(bearer(shop.b.key))).body.status !== 'active' ? true : undefined), 15_000, 'seller B not active');
    const bRow = ofSeller(rows, shop.b.id);
    expect((await cancel(bRow.id).expect(200)).body).toMatchObject({ id: bRow.id, status: 'canceled' });
    expect((await cancel(bRow.id).expect(200)).body).toMatchObject({ status: 'canceled' });

    // within Stripe's 24 h memory of B's key its call may still land: B's reversal waits (made: reversed as any)
    await drainTransferWorkers(t);
    expect(ofSeller((await getOrder(t, notMade.id)).transferReversals, shop.b.id)).toMatchObject({ kind: 'reversal', status: 'pending' });
    // 24 hours pass on our clock (the row's key was first sent then), the reversal's wait with them: Stripe forgot the key
    const db = t.app.get(DataSource);
    await db.query(`UPDATE transfers SET key_first_sent_at = now() - interval '25 hours' WHERE id = $1`, [bRow.id]);
    await db.query(`UPDATE transfer_reversals SET next_attempt_at = now() WHERE transfer_id = $1`, [bRow.id]);
    await fundsAvailable(t);
    const atStripe = await stripeTransfersOf(t, notMade.id);
    expect(atStripe.map((x) => [x.destination, x.amount - x.amount_reversed])).toEqual([[shop.a.account, 675]]);
    // B's reversal of the canceled transfer, its key forgotten: nothing to reverse, lowered from the canceled row instead
    const after = await getOrder(t, notMade.id);
    expect(ofSeller(after.transferReversals, shop.b.id)).toMatchObject({ kind: 'lowering', status: 'succeeded', amount: '675' });
    expect(ofSeller(after.transfers, shop.b.id)).toMatchObject({ status: 'canceled', amount: '2025' });
    expect(ofSeller(after.transferReversals, shop.a.id)).toMatchObject({ kind: 'reversal', status: 'succeeded', amount: '225' });
    expect((await getOrder(t, made.id)).transfers.map((x: { status: string }) => x.status)).toEqual(['succeeded', 'succeeded']);
    await expectBooksMatchStripe(t);
  });
});
