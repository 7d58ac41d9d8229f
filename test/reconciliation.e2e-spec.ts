// Scheduled reconciliation end to end: a whole marketplace day reconciles to zero; each difference
// injected is found with its kind and both sides' references, healed or resolved, and cleared by the next run.
import { randomUUID } from 'node:crypto';
import { Money } from '@app/money';
import { DataSource } from 'typeorm';
import { credit, debit, LedgerService } from '../apps/marketplace/src/ledger/index.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { approvedRequest, attemptRows, sellerWithAvailableFunds, waitForRequest } from './support/payout-execution.js';
import { waitFor } from './support/process.js';
import { type DiscrepancyJson, described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { drainTransferWorkers, fundsAvailable, manualPayoutShop, refundOrder, testAppForFile } from './support/transfers.js';

const DISPUTE_CARD = '4000000000000259';

async function closeDispute(sandboxUrl: string, dp: string, outcome: 'won' | 'lost') {
  const res = await fetch(`${sandboxUrl}/_sandbox/disputes/${dp}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
  expect(res.status).toBe(200);
}

describe('reconciliation', () => {
  // what Stripe made in the last RECONCILIATION_SKEW_S is in flight, not missing: the differences made here are moved past it
  const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYMENTS_WORKER_POLL_MS: '50' });
  const pastSkew = () => t.sandbox.control.advance(301);
  afterEach(() => {
    t.sandbox.control.setWebhookFaults({ outage: false });
  });
  const payoutMade = (requestId: string) => waitFor(async () => ((await attemptRows(t, requestId))[0]?.status === 'created' ? true : undefined), 20_000, `request ${requestId}'s payout made`);

  it('after checkouts, refunds, disputes won and lost, multi-seller transfers with a reversal and a netted debt, payouts paid and failed: zero discrepancies', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    // destination charges: one refunded in part, two disputed (one won, one lost)
    const solo = await createActiveSeller(t, 'Solo');
    const listing = await createListing(t, solo, { unitAmount: 2_500 });
    const refunded = await paidOrder(t, buyer, listing);
    await refundOrder(t, refunded.id, { amount: '500' }).expect(201);
    for (const outcome of ['won', 'lost'] as const) {
      const disputed = await paidOrder(t, buyer, await createListing(t, solo, { unitAmount: 4_000 }), 1, DISPUTE_CARD);
      const order = await waitForOrder(t, disputed.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'dispute recovered');
      await closeDispute(t.sandbox.url, order.disputes[0].stripeDisputeId, outcome);
    }
    // separate charges and transfers: a refund that reverses part of a transfer, a second refund that leaves a debt netted from the next transfer
    const shop = await manualPayoutShop(t);
    const cart = await shop.cart();
    await drainTransferWorkers(t);
    await fundsAvailable(t);
    await payoutMade(await approvedRequest(t, shop.a, 900n)); // A keeps nothing to cover their part of the next refund
    await refundOrder(t, cart.id, { amount: '1000' }).expect(201);
    await drainTransferWorkers(t);
    await shop.cart();
    await drainTransferWorkers(t);
    // reviewed payouts: one paid, one failed by the bank
    const paid = await sellerWithAvailableFunds(t, { name: 'Paid out', unitAmount: 6_000 });
    const failing = await sellerWithAvailableFunds(t, { name: 'Bank refuses', unitAmount: 6_000, accountNumber: '000111111116' });
    const paidRequest = await approvedRequest(t, paid, 5_000n);
    const failedRequest = await approvedRequest(t, failing, 5_000n);
    for (const id of [paidRequest, failedRequest]) await payoutMade(id);
    t.sandbox.control.advance(5 * 86_400);
    await t.sandbox.control.webhooksIdle();
    await waitForRequest(t, paidRequest, (r) => r.status === 'paid', 'paid');
    await waitForRequest(t, failedRequest, (r) => r.status === 'failed', 'failed');
    await fundsAvailable(t);
    await expectBooksMatchStripe(t);

    const run = await reconcile(t);
    expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
    expect(run).toMatchObject({ status: 'completed', error: null });
    expect(run.counts.matched).toBe(run.counts.stripeTransactions);
    expect(run.counts.inFlight).toBe(0);
    expect(run.counts.stripeTransactions).toBeGreaterThan(30);
    // every balance that moved money was compared, and everything it moved matched
    const balances = new Set(run.matched.map((m: { balance: string }) => m.balance));
    for (const account of ['platform', solo.account, shop.a.account, shop.b.account, paid.account, failing.account]) expect(balances).toContain(account);
    for (const m of run.matched) expect(m.matched).toBe(m.compared);
  });

  const heal = (id: string, body: object = {}) => t.http.post(`/admin/reconciliation/discrepancies/${id}/heal`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);
  const resolve = (id: string, note: string) => t.http.post(`/admin/reconciliation/discrepancies/${id}/resolve`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ note });
  const about = (found: DiscrepancyJson[], stripeId: string) => found.filter((d) => d.stripe.objectId === stripeId || d.stripe.balanceTransactionId === stripeId);
  const discrepancy = async (id: string) => (await t.http.get(`/admin/reconciliation/discrepancies/${id}`).set(bearer(t.adminKey)).expect(200)).body;
  const sql = () => t.app.get(DataSource);

  it('a Dashboard refund whose webhooks never came: missing_in_ledger with both sides; healed by backfill from /v1/events; the next run clears it', async () => {
    const seller = await createActiveSeller(t, 'Refunded in the Dashboard');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 3_000 }));
    await fundsAvailable(t);
    t.sandbox.control.setWebhookFaults({ outage: true });
    const refund = await t.stripe.refunds.create({ charge: order.chargeId, amount: 700 });
    pastSkew();

    const first = await reconcile(t);
    const [missing, ...others] = about(await discrepanciesOf(t, first.id), refund.id);
    expect(others).toEqual([]);
    expect(missing).toMatchObject({
      kind: 'missing_in_ledger',
      severity: 'high',
      status: 'open',
      balance: 'platform',
      currency: 'USD',
      stripe: { objectId: refund.id, balanceTransactionId: refund.balance_transaction, amount: '-700', dashboardUrl: `https://dashboard.stripe.com/test/refunds/${refund.id}` },
      ours: { entryIds: [], amount: null },
    });
    expect(missing.stripe.balanceTransactionUrl).toBe(`https://dashboard.stripe.com/test/balance/history/${refund.balance_transaction}`);

    const healed = (await heal(missing.id).expect(200)).body;
    expect(healed).toMatchObject({ status: 'healed', heals: [{ action: 'backfill', result: { inserted: expect.any(Number) } }] });
    expect(healed.heals[0].result.eventIds.length).toBeGreaterThan(0);
    t.sandbox.control.setWebhookFaults({ outage: false });
    await expectBooksMatchStripe(t);

    const second = await reconcile(t);
    expect(await discrepancy(missing.id)).toMatchObject({ status: 'cleared', clearedInRunId: second.id });
    expect(second.counts.cleared).toBeGreaterThanOrEqual(1);
    expect(about(await discrepanciesOf(t, second.id, { status: 'open' }), refund.id)).toEqual([]);
  });

  it('an amount booked wrong in the ledger: amount_mismatch naming our entry; healed by a correcting entry (never an edit); cleared next run', async () => {
    const seller = await createActiveSeller(t, 'Misbooked');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 5_000 }));
    await fundsAvailable(t);
    const [line]: Array<{ txn: string; available_on: Date }> = await sql().query(
      `SELECT stripe_balance_transaction_id AS txn, available_on FROM ledger_lines WHERE stripe_object_id = $1 AND account LIKE 'platform_cash_%' LIMIT 1`,
      [order.chargeId],
    );
    const bad = await sql().transaction((tx) =>
      t.app.get(LedgerService).post(tx, {
        kind: 'charge',
        reference: { type: 'order', id: order.id },
        idempotencyKey: `test:misbooked:${order.id}`,
        lines: [
          debit('platform_cash_available', Money.of(100n, 'USD'), undefined, { objectId: order.chargeId, balanceTransactionId: line!.txn, account: null, availableOn: line!.available_on }),
          credit('platform_fee_revenue', Money.of(100n, 'USD')),
        ],
      }),
    );

    const run = await reconcile(t);
    const [wrong, ...others] = about(await discrepanciesOf(t, run.id), line!.txn).filter((d) => d.kind !== 'balance_mismatch');
    expect(others).toEqual([]);
    expect(wrong).toMatchObject({ kind: 'amount_mismatch', balance: 'platform', stripe: { objectId: order.chargeId, balanceTransactionId: line!.txn } });
    expect(BigInt(wrong.ours.amount) - BigInt(wrong.stripe.amount)).toBe(100n);
    expect(wrong.ours.entryIds).toContain(bad.id);
    // the balance check at the window's end sees the same 100
    const [platformBalance] = await discrepanciesOf(t, run.id, { kind: 'balance_mismatch' });
    expect(platformBalance).toMatchObject({ balance: 'platform', currency: 'USD', status: 'open' });

    const healed = (await heal(wrong.id).expect(200)).body;
    expect(healed.heals[0]).toMatchObject({ action: 'correct', result: { difference: '100', correctionEntryId: expect.any(String) } });
    const [correction]: Array<{ kind: string; reverses_entry_id: string }> = await sql().query(`SELECT kind, reverses_entry_id FROM ledger_entries WHERE id = $1`, [
      healed.heals[0].result.correctionEntryId,
    ]);
    expect(correction).toEqual({ kind: 'reconciliation_correction', reverses_entry_id: bad.id });
    await expectBooksMatchStripe(t);
    // healing twice posts nothing more
    await heal(wrong.id).expect(422);

    const next = await reconcile(t);
    expect(await discrepancy(wrong.id)).toMatchObject({ status: 'cleared', clearedInRunId: next.id });
    expect(await discrepancy(platformBalance.id)).toMatchObject({ status: 'cleared', clearedInRunId: next.id });
  });

  it('a payout paid here but failed at Stripe (its events withheld): status_mismatch on the payout; healed by backfill; cleared next run', async () => {
    const seller = await sellerWithAvailableFunds(t, { name: 'Failed after paid', unitAmount: 4_000 });
    const request = await approvedRequest(t, seller, 3_000n);
    await payoutMade(request);
    t.sandbox.control.advance(5 * 86_400);
    await t.sandbox.control.webhooksIdle();
    await waitForRequest(t, request, (r) => r.status === 'paid', 'paid');
    const [attempt] = await attemptRows(t, request);
    t.sandbox.control.setWebhookFaults({ outage: true });
    const failed = await fetch(`${t.sandbox.url}/_sandbox/payouts/${attempt!.stripe_payout_id}/fail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'account_closed' }),
    });
    expect(failed.status).toBe(200);
    pastSkew();

    const run = await reconcile(t);
    const found = about(await discrepanciesOf(t, run.id), attempt!.stripe_payout_id!);
    const status = found.find((d) => d.kind === 'status_mismatch')!;
    expect(status).toMatchObject({
      balance: seller.account,
      sellerId: seller.id,
      stripe: { objectId: attempt!.stripe_payout_id, dashboardUrl: `https://dashboard.stripe.com/${seller.account}/test/payouts/${attempt!.stripe_payout_id}` },
      ours: { row: { type: 'payout_attempt', id: attempt!.id } },
      details: { stripeStatus: 'failed', attemptStatus: 'paid', ledgerReturned: false },
    });
    // and its payout_failure transaction is missing from the ledger
    expect(found.map((d) => d.kind).sort()).toEqual(['missing_in_ledger', 'status_mismatch']);

    await heal(status.id).expect(200);
    t.sandbox.control.setWebhookFaults({ outage: false });
    await waitForRequest(t, request, (r) => r.status === 'failed', 'failed after paid');
    await expectBooksMatchStripe(t);
    const next = await reconcile(t);
    for (const d of found) expect(await discrepancy(d.id)).toMatchObject({ status: 'cleared', clearedInRunId: next.id });
  });

  it("a seller's movement booked twice while pending: the correction negates it where the funds are now, the seller's payable pending and available both right", async () => {
    const seller = await createActiveSeller(t, 'Booked twice');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 3_000 }));
    const [py]: Array<{ txn: string; net: string; available_on: Date }> = await sql().query(
      `SELECT stripe_balance_transaction_id AS txn, amount::text AS net, available_on FROM ledger_lines WHERE account = 'connected_cash_pending' AND seller_id = $1 AND stripe_balance_transaction_id IS NOT NULL LIMIT 1`,
      [seller.id],
    );
    const ref = { objectId: 'py_duplicate', balanceTransactionId: py!.txn, account: seller.account, availableOn: py!.available_on };
    const net = BigInt(py!.net);
    const duplicate = await sql().transaction((tx) =>
      t.app.get(LedgerService).post(tx, {
        kind: 'charge',
        reference: { type: 'order', id: order.id },
        idempotencyKey: `test:duplicate:${order.id}`,
        lines: [debit('connected_cash_pending', Money.of(net, 'USD'), seller.id, ref), credit('seller_payable_pending', Money.of(net, 'USD'), seller.id, ref)],
      }),
    );
    await fundsAvailable(t); // the availability moves twice the funds, cash and payable alike

    const run = await reconcile(t);
    const [twice] = about(await discrepanciesOf(t, run.id), py!.txn);
    expect(twice).toMatchObject({ kind: 'amount_mismatch', balance: seller.account, sellerId: seller.id });
    const healed = (await heal(twice.id).expect(200)).body;
    expect(healed.heals[0].result).toMatchObject({ difference: String(net) });
    const sums: Array<{ account: string; total: string }> = await sql().query(
      `SELECT account, sum(amount)::text AS total FROM ledger_lines WHERE seller_id = $1 AND account IN ('seller_payable_pending', 'seller_payable_available', 'connected_cash_available', 'connected_cash_pending') GROUP BY account`,
      [seller.id],
    );
    const of = (account: string) => BigInt(sums.find((r) => r.account === account)?.total ?? '0');
    expect(of('seller_payable_pending')).toBe(0n);
    expect(of('connected_cash_pending')).toBe(0n);
    expect(of('seller_payable_available')).toBe(-of('connected_cash_available'));
    expect(of('connected_cash_available')).toBe(net);
    await expectBooksMatchStripe(t);
    expect(duplicate.id).toBeTruthy();
    const next = await reconcile(t);
    expect(await discrepancy(twice.id)).toMatchObject({ status: 'cleared', clearedInRunId: next.id });
  });

  it('a fee refunded directly at Stripe: found (the money and the fee), resolved by an admin with a note in the audit log', async () => {
    const seller = await createActiveSeller(t, 'Fee refunded');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 6_000 }));
    await fundsAvailable(t);
    const charge = await t.stripe.charges.retrieve(order.chargeId);
    const fee = charge.application_fee as string;
    const feeRefund = await t.stripe.applicationFees.createRefund(fee, { amount: 200 });
    pastSkew();
    await t.sandbox.control.webhooksIdle();

    const run = await reconcile(t);
    const all = await discrepanciesOf(t, run.id, { status: 'open' });
    const onFee = about(all, fee);
    expect(onFee).toMatchObject([{ kind: 'amount_mismatch', stripe: { objectId: fee, amount: '200' }, ours: { amount: '0' }, details: { feeRefunds: [feeRefund.id] } }]);
    const moved = about(all, feeRefund.id).filter((d) => d.kind === 'missing_in_ledger');
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.find((d) => d.balance === 'platform')).toMatchObject({ stripe: { amount: '-200' } });

    for (const d of [...onFee, ...moved]) {
      const resolved = (await resolve(d.id, 'Refunded by support in the Dashboard (ticket 4411); booked by hand').expect(200)).body;
      expect(resolved).toMatchObject({ status: 'resolved', resolution: { note: expect.stringContaining('ticket 4411') } });
    }
    await resolve(onFee[0].id, 'again').expect(409);
    await resolve(onFee[0].id, '   ').expect(400);
    const audit = (
      await t.http
        .get('/admin/audit')
        .query({ subject: `reconciliation_discrepancy:${onFee[0].id}` })
        .set(bearer(t.adminKey))
        .expect(200)
    ).body.data;
    expect(audit).toMatchObject([{ action: 'resolve', reason: expect.stringContaining('ticket 4411') }]);
  });

  it('a seller whose connected account Stripe will not read any more: reported unreadable, every other balance still reconciled', async () => {
    const gone = await createActiveSeller(t, 'Disconnected');
    await t.stripe.accounts.del(gone.account);
    const run = await reconcile(t);
    expect(run.status).toBe('completed');
    const unreadable = (await discrepanciesOf(t, run.id, { kind: 'unreadable_balance' })).filter((d) => d.balance === gone.account);
    expect(unreadable.length).toBeGreaterThan(0);
    expect(unreadable[0]).toMatchObject({ severity: 'high', status: 'open', summary: expect.stringContaining(gone.account) });
    expect(JSON.stringify(unreadable)).not.toMatch(/StripeError|stack/i);
    expect(run.matched.some((m: { balance: string }) => m.balance === 'platform')).toBe(true);
    await sql().query(
      `UPDATE reconciliation_discrepancies SET status = 'resolved', resolution_note = 'account closed (test)', resolved_at = now() WHERE kind = 'unreadable_balance' AND status = 'open'`,
    );
  });
});
