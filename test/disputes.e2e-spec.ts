// Disputes end to end: the 4000000000000259 card, the platform debited, recovery from the seller, payouts frozen, closing.
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { DisputesService } from '../apps/marketplace/src/payments/disputes/disputes.service.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, sumLines, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

const DISPUTE_CARD = '4000000000000259';

async function disputedOrder(s: ActiveSeller, unitAmount: number) {
  const listing = await createListing(t, s, { unitAmount });
  const order = await paidOrder(t, buyer, listing, 1, DISPUTE_CARD);
  return waitForOrder(t, order.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'dispute recorded and recovered');
}

async function closeDispute(dp: string, outcome: 'won' | 'lost') {
  const res = await fetch(`${t.sandbox.url}/_sandbox/disputes/${dp}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
  expect(res.status).toBe(200);
}

describe('disputes', () => {
  it('disputed -> platform debited, seller recovery booked, payouts frozen; won -> reinstated, recovery returned, payouts free', async () => {
    const order = await disputedOrder(seller, 8_000);
    const dispute = order.disputes[0];
    expect(dispute).toMatchObject({
      stripeDisputeId: expect.stringMatching(/^dp_/),
      amount: '8000',
      currency: 'USD',
      reason: 'fraudulent',
      status: 'needs_response',
      recoveredAmount: '8000',
      closedAt: null,
    });
    expect(new Date(dispute.evidenceDueBy).getTime()).toBeGreaterThan(0);

    // Stripe: the seller's transfer reversed by the recovery, the platform's fee refunded with it
    // (DISPUTE_RECOVERY=seller_share, the default): the seller loses what they netted, 7200 of 8000
    const charge = await t.stripe.charges.retrieve(order.chargeId, { expand: ['transfer', 'application_fee'] });
    expect((charge.transfer as { amount_reversed: number }).amount_reversed).toBe(8_000);
    expect((charge.application_fee as { amount_refunded: number }).amount_refunded).toBe(800);

    // the ledger: withdrawal (amount + Stripe's dispute fee) and recovery, all balanced
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'dispute_withdrawal', 'dispute_recovery']);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    expect(sumLines(entries, 'dispute_funds_withdrawn')).toBe(8_000n);
    expect(sumLines(entries, 'dispute_fees')).toBe(1_500n);
    expect(sumLines(entries, 'dispute_recoveries')).toBe(-8_000n);
    expect(sumLines(entries, 'platform_fee_refunds')).toBe(800n);
    expect(sumLines(entries, 'seller_payable_available', seller.id)).toBe(7_200n);
    // the seller's balance at Stripe: +7200 (charge) - 8000 (reversal) + 800 (fee refund) = 0
    expect(sumLines(entries, 'seller_payable_available', seller.id) + sumLines(entries, 'seller_payable_pending', seller.id)).toBe(0n);

    // payouts frozen while it is open
    const gate = t.app.get(SellerGate);
    await expect(gate.assertCanBePaidOut(seller.id)).rejects.toMatchObject({ code: 'SELLER_PAYOUTS_FROZEN', details: { reasons: [`dispute ${dispute.stripeDisputeId} is open`] } });
    expect(await t.app.get(DisputesService).hasOpenDispute(seller.id)).toBe(true);

    await closeDispute(dispute.stripeDisputeId, 'won');
    const won = await waitForOrder(t, order.id, (o) => o.status === 'paid' && o.disputes[0].recoveryStatus === 'returned', 'dispute won and recovery returned');
    expect(won.disputes[0]).toMatchObject({ status: 'won', closedAt: expect.any(String) });

    // what the seller lost went back to them by a new transfer: the reversal less the fee refunded to them
    const back = (await t.stripe.transfers.list({ destination: seller.account })).data.filter((tr) => tr.metadata?.dispute_id === dispute.stripeDisputeId);
    expect(back.map((tr) => tr.amount)).toEqual([7_200]);

    const after = await ledgerEntries(t, order.id);
    for (const e of after) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    expect(sumLines(after, 'dispute_funds_withdrawn')).toBe(0n);
    expect(sumLines(after, 'dispute_fees')).toBe(0n);
    expect(sumLines(after, 'dispute_recoveries')).toBe(0n);
    // the platform earned its fee again (it kept 800 of the reinstated 8000)
    expect(sumLines(after, 'platform_fee_refunds')).toBe(0n);
    expect(sumLines(after, 'platform_fee_revenue')).toBe(-800n);
    // the seller is owed the charge again: the return came with source_transaction, pending until the charge's funds are
    expect(sumLines(after, 'seller_payable_available', seller.id) + sumLines(after, 'seller_payable_pending', seller.id)).toBe(-7_200n);
    expect(after.map((e) => e.kind)).toEqual(['charge', 'dispute_withdrawal', 'dispute_recovery', 'dispute_won', 'dispute_return']);

    await expect(gate.assertCanBePaidOut(seller.id)).resolves.toBe(seller.account);
    expect(await t.app.get(DisputesService).hasOpenDispute(seller.id)).toBe(false);
    await expectBooksMatchStripe(t);
  });

  it("a refund after a won dispute takes the seller's share back from the return transfer (REFUND_AFTER_RETURN=reverse_return): it waits for the seller's funds, then the seller bears it, not the platform", async () => {
    const s = await createActiveSeller(t);
    // funds stay on the seller's balance (no automatic payout drains it while we wait)
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const order = await disputedOrder(s, 8_000);
    await closeDispute(order.disputes[0].stripeDisputeId, 'won');
    const won = await waitForOrder(t, order.id, (o) => o.status === 'paid' && o.disputes[0].recoveryStatus === 'returned', 'won and returned');
    const returnTransfer = (await t.stripe.transfers.list({ destination: s.account })).data.find((tr) => tr.metadata?.dispute_id === won.disputes[0].stripeDisputeId)!;
    expect(returnTransfer.amount).toBe(7_200);

    const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', `after-dispute-${order.id}`).send({ amount: 3_000 }).expect(201);
    const stripeRefund = await t.stripe.refunds.retrieve(res.body.stripeRefundId, { expand: ['transfer_reversal'] });
    // the original transfer was already reversed in full by the recovery: the refund's reversal pulls nothing back
    expect(stripeRefund.transfer_reversal ? (stripeRefund.transfer_reversal as { amount: number }).amount : 0).toBe(0);
    expect(res.body.returnReversal).toMatchObject({ status: 'pending' });
    // the return transfer came with source_transaction: its funds are pending on the seller's balance,
    // so Stripe refuses the reversal (balance_insufficient) until they are available: retried, not final
    const waiting = await waitForOrder(t, order.id, (o) => o.refunds[0]?.returnReversal?.errorCode === 'balance_insufficient', "reversal waiting for the seller's funds");
    // the seller bears what they netted of the refund: 3000 less the 300 fee an intact transfer's refund returns
    expect(waiting.refunds[0].returnReversal).toMatchObject({ status: 'pending', amount: '2700', transferId: returnTransfer.id, reversalId: null });

    t.sandbox.control.advance(3 * 86_400);
    const reversed = await waitForOrder(t, order.id, (o) => o.refunds[0]?.returnReversal?.status === 'reversed', 'return transfer reversed');
    expect(reversed.refunds[0].returnReversal).toMatchObject({ status: 'reversed', amount: '2700', transferId: returnTransfer.id, errorCode: null });
    const reversals = await t.stripe.transfers.listReversals(returnTransfer.id);
    expect(reversals.data.map((r) => [r.amount, r.metadata?.refund_id])).toEqual([[2_700, res.body.id]]);

    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'dispute_withdrawal', 'dispute_recovery', 'dispute_won', 'dispute_return', 'refund', 'refund_return_reversal']);
    for (const e of entries) expect(e.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n)).toBe(0n);
    const refundEntries = entries.filter((e) => e.kind === 'refund' || e.kind === 'refund_return_reversal');
    // the seller bears their share of the refund (90 %), the platform its fee's share (Stripe refunded the
    // whole fee with the recovery already, so the refund returns none: the platform's 300 shows as its loss)
    expect(sumLines(refundEntries, 'seller_payable_available', s.id) + sumLines(refundEntries, 'seller_payable_pending', s.id)).toBe(2_700n);
    expect(sumLines(refundEntries, 'refund_losses')).toBe(300n);
    expect(sumLines(entries, 'seller_payable_available', s.id) + sumLines(entries, 'seller_payable_pending', s.id)).toBe(-4_500n);

    // the rest refunded: the seller ends with nothing of the order, the platform with nothing of its fee
    const rest = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', `after-dispute-rest-${order.id}`).send({ full: true }).expect(201);
    expect(rest.body).toMatchObject({ status: 'succeeded', amount: '5000' });
    const done = await waitForOrder(t, order.id, (o) => o.refunds[1]?.returnReversal?.status === 'reversed', 'the rest taken from the return');
    expect(done.refunds[1].returnReversal).toMatchObject({ amount: '4500', transferId: returnTransfer.id });
    const all = await ledgerEntries(t, order.id);
    expect(sumLines(all, 'seller_payable_available', s.id) + sumLines(all, 'seller_payable_pending', s.id)).toBe(0n);
    expect(sumLines(all, 'connected_cash_available', s.id) + sumLines(all, 'connected_cash_pending', s.id)).toBe(0n);
    expect((await t.stripe.balance.retrieve({}, { stripeAccount: s.account })).available.find((x) => x.currency === 'usd')?.amount ?? 0).toBe(0);
    await expectBooksMatchStripe(t);
  });

  it('lost: the loss stays booked (recovered from the seller), the order stays disputed', async () => {
    const other = await createActiveSeller(t);
    const order = await disputedOrder(other, 3_000);
    const dp = order.disputes[0].stripeDisputeId as string;
    await closeDispute(dp, 'lost');
    const lost = await waitForOrder(t, order.id, (o) => o.disputes[0].status === 'lost', 'dispute lost');
    expect(lost).toMatchObject({ status: 'disputed' });
    expect(lost.disputes[0]).toMatchObject({ recoveryStatus: 'recovered', closedAt: expect.any(String) });
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'dispute_withdrawal', 'dispute_recovery']);
    expect(sumLines(entries, 'dispute_funds_withdrawn') + sumLines(entries, 'dispute_recoveries')).toBe(0n);
    expect(await t.app.get(DisputesService).hasOpenDispute(other.id)).toBe(false);
    const seen = await t.http.get(`/orders/${order.id}`).set(bearer(buyer.key)).expect(200);
    expect(seen.body.disputes[0].status).toBe('lost');
    expect((await getOrder(t, order.id)).status).toBe('disputed');
    await expectBooksMatchStripe(t);
  });
});

describe('dispute recovery when Stripe fails', () => {
  it('keeps the recovery due, waits before trying again, and recovers once Stripe answers', async () => {
    const { sqlClient } = await import('./support/sql.js');
    const sql = sqlClient(t.databaseUrl);
    const other = await createActiveSeller(t);
    try {
      const fault = await fetch(`${t.sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ method: 'POST', path: '/v1/transfers/*/reversals', kind: 'error_500', count: 1000 }),
      });
      expect(fault.ok).toBe(true);
      const listing = await createListing(t, other, { unitAmount: 5_000 });
      const paid = await paidOrder(t, buyer, listing, 1, DISPUTE_CARD);
      const { waitFor } = await import('./support/process.js');
      const row = await waitFor(
        async () =>
          (
            await sql.query<{ status: string; error: string | null; next: Date; failedAt: Date }>(
              `SELECT recovery_status AS status, recovery_error AS error, recovery_next_attempt_at AS next, updated_at AS "failedAt" FROM disputes WHERE order_id = $1`,
              [paid.id],
            )
          ).find((r) => r.error),
        15_000,
        'recovery attempted and failed',
      );
      expect(row.status).toBe('pending');
      // a retryable failure waits ~30 s instead of hammering Stripe every poll
      expect(row.next.getTime() - row.failedAt.getTime()).toBeGreaterThan(25_000);
      expect(row.next.getTime() - row.failedAt.getTime()).toBeLessThan(35_000); // not the claim's lease
      const reversals = await t.stripe.transfers.listReversals((await t.stripe.charges.retrieve(paid.chargeId)).transfer as string);
      expect(reversals.data).toHaveLength(0);

      await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
      await sql.query(`UPDATE disputes SET recovery_next_attempt_at = now() WHERE order_id = $1`, [paid.id]);
      const recovered = await waitForOrder(t, paid.id, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'recovered after Stripe came back');
      expect(recovered.disputes[0].recoveredAmount).toBe('5000');
      const after = await t.stripe.transfers.listReversals((await t.stripe.charges.retrieve(paid.chargeId)).transfer as string);
      expect(after.data).toHaveLength(1);
    } finally {
      await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
      await sql.end();
    }
  });
});

describe('dispute recovery after Stripe has forgotten the idempotency key', () => {
  it('finds the reversal made before a crash instead of reversing the seller twice', async () => {
    const { sqlClient } = await import('./support/sql.js');
    const sql = sqlClient(t.databaseUrl);
    try {
      const s = await createActiveSeller(t);
      const order = await disputedOrder(s, 6_000);
      const transferId = (await t.stripe.charges.retrieve(order.chargeId)).transfer as string;
      expect((await t.stripe.transfers.listReversals(transferId)).data).toHaveLength(1);

      // a crash after Stripe made the reversal and before we recorded it, noticed a day later
      await sql.query(
        `UPDATE disputes SET recovery_status = 'pending', recovered_amount = 0, recovery_reversal_id = NULL,
                created_at = now() - interval '25 hours', recovery_next_attempt_at = now() + interval '1 hour'
          WHERE order_id = $1`,
        [order.id],
      );
      const advanced = await fetch(`${t.sandbox.url}/_sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seconds: 25 * 3600 }) });
      expect(advanced.ok).toBe(true); // Stripe (the sandbox) forgets idempotency keys after 24 h
      await sql.query(`UPDATE disputes SET recovery_next_attempt_at = now() WHERE order_id = $1`, [order.id]);

      const recovered = await waitForOrder(t, order.id, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'recovered again');
      expect(recovered.disputes[0].recoveredAmount).toBe('6000');
      expect((await t.stripe.transfers.listReversals(transferId)).data).toHaveLength(1);
    } finally {
      await sql.end();
    }
  });
});

describe('DISPUTE_RECOVERY=reverse_transfer (the earlier name of full)', () => {
  let u: TestApp;
  beforeAll(async () => {
    u = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50', DISPUTE_RECOVERY: 'reverse_transfer' } });
  });
  afterAll(async () => {
    await u?.close();
  });

  it("recovers the whole disputed amount from the seller, the platform's fee too; a won dispute returns it all", async () => {
    const s = await createActiveSeller(u);
    const b = await createPrincipal(u, 'buyer');
    const listing = await createListing(u, s, { unitAmount: 8_000 });
    const paid = await paidOrder(u, b, listing, 1, DISPUTE_CARD);
    const order = await waitForOrder(u, paid.id, (o) => o.disputes[0]?.recoveryStatus === 'recovered', 'recovered');
    const charge = await u.stripe.charges.retrieve(order.chargeId, { expand: ['transfer', 'application_fee'] });
    expect((charge.transfer as { amount_reversed: number }).amount_reversed).toBe(8_000);
    expect((charge.application_fee as { amount_refunded: number }).amount_refunded).toBe(0);
    const entries = await ledgerEntries(u, order.id);
    expect(sumLines(entries, 'seller_payable_available', s.id)).toBe(8_000n);
    expect(sumLines(entries, 'platform_fee_refunds')).toBe(0n);
    const res = await fetch(`${u.sandbox.url}/_sandbox/disputes/${order.disputes[0].stripeDisputeId}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'won' }),
    });
    expect(res.status).toBe(200);
    await waitForOrder(u, order.id, (o) => o.disputes[0].recoveryStatus === 'returned', 'returned');
    const back = (await u.stripe.transfers.list({ destination: s.account })).data.filter((tr) => tr.metadata?.dispute_id === order.disputes[0].stripeDisputeId);
    expect(back.map((tr) => tr.amount)).toEqual([8_000]);
    await expectBooksMatchStripe(u);
  });
});
