// Refunds end to end: destination charges refunded with reverse_transfer and the application fee in proportion.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, paidOrder, sumLines, waitForOrder } from './support/checkout.js';
import { processedEventsAbout } from './support/inbox.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;
let seller: ActiveSeller;
let buyer: PrincipalWithKey;
let listing: string;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
  seller = await createActiveSeller(t);
  buyer = await createPrincipal(t, 'buyer');
  listing = await createListing(t, seller, { unitAmount: 10_000 });
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

const refund = (orderId: string, body: Record<string, unknown>, key: string = randomUUID(), as = t.adminKey) =>
  t.http.post(`/orders/${orderId}/refunds`).set(bearer(as)).set('Idempotency-Key', key).send(body);

async function stripeSide(chargeId: string) {
  const charge = await t.stripe.charges.retrieve(chargeId, { expand: ['application_fee', 'transfer'] });
  const fee = charge.application_fee as { amount: number; amount_refunded: number };
  const transfer = charge.transfer as { amount: number; amount_reversed: number };
  return { refunded: charge.amount_refunded, feeRefunded: fee.amount_refunded, transferReversed: transfer.amount_reversed, transferAmount: transfer.amount };
}

describe('POST /orders/:id/refunds', () => {
  it('a partial then a full refund: transfer reversals and application fee refunds are right; an over-refund is refused and changes nothing', async () => {
    const order = await paidOrder(t, buyer, listing);
    expect(order).toMatchObject({ status: 'paid', amountTotal: '10000', applicationFeeTotal: '1000' });

    const partial = await refund(order.id, { amount: 2_500, reason: 'requested_by_customer' }).expect(201);
    expect(partial.body).toMatchObject({
      status: 'succeeded',
      source: 'api',
      amount: '2500',
      applicationFeeRefund: '250',
      transferReversalAmount: '2500',
      stripeRefundId: expect.stringMatching(/^re_/),
    });
    expect(await stripeSide(order.chargeId)).toEqual({ refunded: 2_500, feeRefunded: 250, transferReversed: 2_500, transferAmount: 10_000 });
    expect((await getOrder(t, order.id)).status).toBe('partially_refunded');

    // more than remains: 422, and nothing changes here or at Stripe
    const refundRows = async () => (await sql.query(`SELECT id FROM refunds WHERE order_id = $1`, [order.id])).length;
    const rowsBefore = await refundRows();
    const over = await refund(order.id, { amount: 7_501 }).expect(422);
    expect(over.body.error).toMatchObject({ code: 'REFUNDS.AMOUNT_TOO_LARGE', details: { remaining: '7500', amount: '7501' } });
    expect(await refundRows()).toBe(rowsBefore);
    expect(await stripeSide(order.chargeId)).toEqual({ refunded: 2_500, feeRefunded: 250, transferReversed: 2_500, transferAmount: 10_000 });
    expect(await getOrder(t, order.id)).toMatchObject({ status: 'partially_refunded', amountRefunded: '2500' });

    // the rest, asked for explicitly
    const full = await refund(order.id, { full: true }).expect(201);
    expect(full.body).toMatchObject({ status: 'succeeded', amount: '7500', applicationFeeRefund: '750', transferReversalAmount: '7500' });
    expect(await stripeSide(order.chargeId)).toEqual({ refunded: 10_000, feeRefunded: 1_000, transferReversed: 10_000, transferAmount: 10_000 });
    const done = await getOrder(t, order.id);
    expect(done).toMatchObject({ status: 'refunded', amountRefunded: '10000' });
    expect(done.refunds.map((r: { amount: string }) => r.amount)).toEqual(['2500', '7500']);

    // booked: every entry balances; the platform returned its whole fee, the seller bore the rest
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund']);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    expect(sumLines(entries, 'platform_fee_refunds')).toBe(1_000n);
    // the platform's balance: refunds out, reversals in, fee refunds out; the seller's: reversals out, fee refunds in
    expect(sumLines(entries, 'platform_cash_available')).toBe(-10_000n + 10_000n - 1_000n);
    expect(sumLines(entries, 'connected_cash_available', seller.id)).toBe(-10_000n + 1_000n);
    expect(sumLines(entries, 'seller_payable_available', seller.id)).toBe(9_000n);
    // each refund entry names Stripe's objects and balance transactions
    const refundCash = entries
      .filter((e) => e.kind === 'refund')
      .flatMap((e) => e.lines)
      .filter((l) => l.account.includes('_cash_'));
    expect(
      refundCash.every(
        (l) =>
          /^(re|trr|pyr|fr)_/.test(l.stripeObjectId ?? '') &&
          (l.stripeObjectId!.startsWith('fr_') && l.account.startsWith('connected') ? l.stripeBalanceTransactionId === null : /^txn_/.test(l.stripeBalanceTransactionId ?? '')),
      ),
    ).toBe(true);

    // nothing left: refused
    expect((await refund(order.id, { full: true }).expect(422)).body.error.code).toBe('REFUNDS.ORDER_NOT_REFUNDABLE');
    // the charge.refunded webhooks found both refunds settled: no duplicates
    const events = await processedEventsAbout(t, sql, order.chargeId, ['charge.refunded', 'refund.updated', 'charge.refund.updated']);
    expect(events.filter((e) => e.type === 'charge.refunded')).toHaveLength(2);
    expect(await refundRows()).toBe(2);
    await expectBooksMatchStripe(t);
  });

  it("the database keeps an order's refunded amount equal to its succeeded refunds", async () => {
    const order = await paidOrder(t, buyer, listing);
    await refund(order.id, { amount: 1_500 }).expect(201);
    await expect(sql.query(`UPDATE orders SET amount_refunded = amount_refunded + 1 WHERE id = $1`, [order.id])).rejects.toThrow(/orders_amount_refunded_matches_refunds|add up to 1500/);
    await expect(sql.query(`UPDATE refunds SET status = 'failed' WHERE order_id = $1`, [order.id])).rejects.toThrow(/add up to 0/);
    expect((await getOrder(t, order.id)).amountRefunded).toBe('1500');
  });

  it('a refund stranded by Stripe errors (outcome unknown) is finished by the worker with the same key', async () => {
    const order = await paidOrder(t, buyer, listing);
    const fault = await fetch(`${t.sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/v1/refunds', kind: 'error_500', count: 20 }),
    });
    expect(fault.ok).toBe(true);
    const failed = await refund(order.id, { amount: 1_000 });
    expect(failed.status).toBe(503);
    expect(failed.body.error).toMatchObject({ code: 'REFUNDS.PAYMENT_PROVIDER_FAILED', details: { stripeCode: expect.stringMatching(/^STRIPE\./) } });
    expect(JSON.stringify(failed.body)).not.toMatch(/api_error|ECONN|socket|status code|An error occurred/i);
    const [stranded] = await sql.query<{ id: string; status: string }>(`SELECT id, status FROM refunds WHERE order_id = $1`, [order.id]);
    expect(stranded).toMatchObject({ status: 'pending' });
    expect((await refund(order.id, { amount: 500 }).expect(409)).body.error.code).toBe('REFUNDS.IN_PROGRESS');
    expect((await stripeSide(order.chargeId)).refunded).toBe(0);

    // Stripe recovers; once the refund's own request is long over, the worker finishes it
    await fetch(`${t.sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    await sql.query(`UPDATE refunds SET updated_at = now() - interval '10 minutes' WHERE id = $1`, [stranded!.id]);
    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'stranded refund finished');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1000' });
    expect(await stripeSide(order.chargeId)).toEqual({ refunded: 1_000, feeRefunded: 100, transferReversed: 1_000, transferAmount: 10_000 });
    const refundsAtStripe = await t.stripe.refunds.list({ charge: order.chargeId });
    expect(refundsAtStripe.data).toHaveLength(1);
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge', 'refund']);
  });

  it('is idempotent: the same key and body replays, another body is 422', async () => {
    const order = await paidOrder(t, buyer, listing);
    const key = randomUUID();
    const first = await refund(order.id, { amount: 1_000 }, key).expect(201);
    const again = await refund(order.id, { amount: 1_000 }, key).expect(201);
    expect(again.body).toEqual(first.body);
    expect((await refund(order.id, { amount: 2_000 }, key).expect(422)).body.error.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect((await getOrder(t, order.id)).amountRefunded).toBe('1000');
  });

  it('records and books a refund made outside the API (the Dashboard) from the charge.refunded webhook', async () => {
    const order = await paidOrder(t, buyer, listing);
    const made = await t.stripe.refunds.create({ charge: order.chargeId, amount: 4_000, reverse_transfer: true, refund_application_fee: true });
    const synced = await waitForOrder(t, order.id, (o) => o.refunds.length === 1, 'external refund recorded');
    expect(synced).toMatchObject({ status: 'partially_refunded', amountRefunded: '4000' });
    expect(synced.refunds[0]).toMatchObject({ source: 'stripe', stripeRefundId: made.id, amount: '4000', applicationFeeRefund: '400' });
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.idempotencyKey)).toContain(`refund:${made.id}`);
    expect(sumLines(entries, 'platform_fee_refunds')).toBe(400n);
  });

  it('a Dashboard refund Stripe reports pending is recorded pending (nothing booked), then settled and booked by its later event', async () => {
    const s = await createActiveSeller(t);
    const l = await createListing(t, s, { unitAmount: 6_000 });
    const order = await paidOrder(t, buyer, l);
    await fetch(`${t.sandbox.url}/_sandbox/refunds/hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 1 }) });
    const made = await t.stripe.refunds.create({ charge: order.chargeId, amount: 1_500, reverse_transfer: true, refund_application_fee: true });
    expect(made.status).toBe('pending');
    const recorded = await waitForOrder(t, order.id, (o) => o.refunds.length === 1, 'pending Dashboard refund recorded');
    expect(recorded).toMatchObject({ status: 'paid', amountRefunded: '0' });
    expect(recorded.refunds[0]).toMatchObject({ source: 'stripe', status: 'pending', stripeRefundId: made.id, amount: '1500' });
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge']);
    const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.id}/succeed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    const settled = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'succeeded', 'Dashboard refund settled');
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: '1500' });
    expect(settled.refunds[0]).toMatchObject({ applicationFeeRefund: '150', transferReversalAmount: '1500' });
    expect((await ledgerEntries(t, order.id)).map((e) => e.kind)).toEqual(['charge', 'refund']);
    await expectBooksMatchStripe(t);
  });

  it("a refund that fails at Stripe after it succeeded is undone: refund failed, entry reversed, order paid again, the seller's share sent back once by the worker; duplicates and replays change nothing; a full refund then works", async () => {
    const order = await paidOrder(t, buyer, listing);
    const made = await refund(order.id, { amount: 4_000 }).expect(201);
    expect(made.body).toMatchObject({ status: 'succeeded', amount: '4000', applicationFeeRefund: '400' });
    await waitForOrder(t, order.id, (o) => o.status === 'partially_refunded', 'refund settled');
    const re = made.body.stripeRefundId as string;
    // The share goes back by a transfer without source_transaction: it draws on the platform's
    // available balance, so let the charges' funds become available first (money from outside the
    // app would show in the balance check as unbooked, as it should)
    t.sandbox.control.advance(3 * 86_400);
    // and the worker's first answer from Stripe is lost (the SDK retries with the same key)
    const fault = await fetch(`${t.sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', count: 1 }),
    });
    expect(fault.status).toBe(200);

    // the card was closed: Stripe fails the refund; every event is delivered twice
    t.sandbox.control.setWebhookFaults({ duplicate: 2 });
    try {
      const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${re}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(200);
      const undone = await waitForOrder(t, order.id, (o) => o.refunds[0]?.status === 'failed' && o.status === 'paid', 'refund failure undone');
      expect(undone).toMatchObject({ status: 'paid', amountRefunded: '0' });
      expect(undone.refunds[0]).toMatchObject({ id: made.body.id, status: 'failed', stripeRefundId: re, failureMessage: 'Stripe refund failed: expired_or_canceled_card' });
      await t.sandbox.control.webhooksIdle();
    } finally {
      t.sandbox.control.setWebhookFaults({ duplicate: 1 });
    }

    // booked: the refund, then its failure from the refund_failure balance transaction; every entry balances
    // (the worker's return transfer, checked below, may be booked at any moment from here: left out)
    const withoutReturn = async () => (await ledgerEntries(t, order.id)).filter((e) => e.kind !== 'transfer');
    const entries = await withoutReturn();
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed']);
    const [, booked, failure] = entries;
    expect(booked!.idempotencyKey).toBe(`refund:${re}`);
    expect(failure!.idempotencyKey).toBe(`refund-failed:${re}`);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    // the money is back in the platform's balance; the seller is owed again what they bore (4000 - 400)
    const failureTxn = (await t.stripe.refunds.retrieve(re)).failure_balance_transaction as string;
    expect(failure!.lines.find((l) => l.account === 'platform_cash_available')).toMatchObject({ amount: '4000', stripeObjectId: re, stripeBalanceTransactionId: failureTxn });
    expect(sumLines([failure!], 'seller_payable_available', seller.id)).toBe(-3_600n);
    expect(sumLines([booked!, failure!], 'platform_fee_refunds')).toBe(0n);

    // the failure events again, through the admin replay: nothing changes
    const failureEvents = [...(await t.stripe.events.list({ type: 'refund.updated', limit: 100 })).data, ...(await t.stripe.events.list({ type: 'charge.refund.updated', limit: 100 })).data].filter(
      (e) => (e.data.object as { id: string }).id === re,
    );
    expect(failureEvents.map((e) => e.type).sort()).toEqual(['charge.refund.updated', 'refund.updated']);
    // a replay needs the first processing to have ended (an event still being worked is 409)
    await waitFor(
      async () => {
        const rows = await Promise.all(failureEvents.map(async (e) => (await t.http.get(`/admin/webhook-events/${e.id}`).set(bearer(t.adminKey)).expect(200)).body));
        return rows.every((r) => r.status === 'processed') ? rows : undefined;
      },
      15_000,
      'refund failure events processed once',
    );
    for (const e of failureEvents) await t.http.post(`/admin/webhook-events/${e.id}/replay`).set(bearer(t.adminKey)).send().expect(200);
    await waitFor(
      async () => {
        const rows = await Promise.all(failureEvents.map(async (e) => (await t.http.get(`/admin/webhook-events/${e.id}`).set(bearer(t.adminKey)).expect(200)).body));
        return rows.every((r) => r.status === 'processed' && r.attempts > 0) ? rows : undefined;
      },
      15_000,
      'replayed refund failure events processed',
    );
    expect(await getOrder(t, order.id)).toMatchObject({ status: 'paid', amountRefunded: '0', refunds: [expect.objectContaining({ status: 'failed' })] });
    expect(await withoutReturn()).toEqual(entries);

    // Stripe kept the reversal (4000) and the fee refund (400): the worker sends the seller's 3600 back
    const returnTransfers = async () => (await t.stripe.transfers.list({ transfer_group: order.id, limit: 100 })).data.filter((tr) => tr.metadata?.refund_id === made.body.id);
    const returned = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'seller share returned');
    expect(((await (await fetch(`${t.sandbox.url}/_sandbox/faults`)).json()) as { data: unknown[] }).data).toEqual([]); // the lost answer happened
    const [sent, ...more] = await returnTransfers();
    expect(more).toEqual([]);
    expect(sent).toMatchObject({
      amount: 3_600,
      currency: 'usd',
      destination: seller.account,
      transfer_group: order.id,
      source_transaction: null,
      metadata: { refund_id: made.body.id, order_id: order.id, reason: 'refund_failed' },
    });
    expect(returned.refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600', transferId: sent!.id, errorCode: null });
    // booked as cash moving from the platform's balance to the seller's; nobody's claim changes
    const withReturn = await ledgerEntries(t, order.id);
    expect(withReturn.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed', 'transfer']);
    expect(sumLines([withReturn[3]!], 'connected_cash_available', seller.id)).toBe(3_600n);
    expect(sumLines([withReturn[3]!], 'platform_cash_available')).toBe(-3_600n);
    // the worker runs it again (same key): still one transfer, the same outcome
    await sql.query(`UPDATE refunds SET failure_return_status = 'pending', failure_return_transfer_id = NULL, failure_return_next_attempt_at = NULL WHERE id = $1`, [made.body.id]);
    const rerun = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'seller share returned again');
    expect(rerun.refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600', transferId: sent!.id });
    expect((await returnTransfers()).map((tr) => tr.id)).toEqual([sent!.id]);

    // nothing blocks a new refund of the whole order
    const again = await refund(order.id, { full: true }).expect(201);
    expect(again.body).toMatchObject({ status: 'succeeded', amount: '10000' });
    const done = await waitForOrder(t, order.id, (o) => o.status === 'refunded', 'refunded in full');
    expect(done).toMatchObject({ amountRefunded: '10000' });
    expect(done.refunds.map((r: { status: string }) => r.status)).toEqual(['failed', 'succeeded']);
    const after = await ledgerEntries(t, order.id);
    expect(after.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed', 'transfer', 'refund']);
    for (const e of after) expect(e.lines.reduce((s, l) => s + BigInt(l.amount), 0n)).toBe(0n);
    // Stripe kept the first refund's fee refund (400) and reversal (4000): the full refund returned only
    // the fee left (600) and reversed only what was left of the transfer (6000). Booked as Stripe made it:
    expect((await stripeSide(order.chargeId)).feeRefunded).toBe(1_000);
    expect((await stripeSide(order.chargeId)).refunded).toBe(10_000);
    expect(after[4]!.lines.find((l) => l.account === 'platform_fee_refunds')).toMatchObject({ amount: '600' });
    expect(sumLines([after[4]!], 'refund_losses')).toBe(4_000n);
    // the seller's payable is what their Stripe balance holds (not the 4000 a computed fee refund would say)
    await expectBooksMatchStripe(t);
  });

  it('who may refund: admins; sellers not unless SELLERS_MAY_REFUND; buyers never; unpaid orders are not refundable', async () => {
    const order = await paidOrder(t, buyer, listing);
    expect((await refund(order.id, { amount: 100 }, randomUUID(), seller.key).expect(403)).body.error.code).toBe('REFUNDS.FORBIDDEN');
    await refund(order.id, { amount: 100 }, randomUUID(), buyer.key).expect(403);
    const otherSeller = await createPrincipal(t, 'seller');
    await refund(order.id, { amount: 100 }, randomUUID(), otherSeller.key).expect(404);
    await refund(randomUUID(), { amount: 100 }).expect(404);
    await refund(order.id, { amount: 0 }).expect(400);
    const unpaid = await t.http
      .post('/checkout')
      .set(bearer(buyer.key))
      .set('Idempotency-Key', randomUUID())
      .send({ items: [{ listingId: listing, quantity: 1 }], successUrl: 'https://a.example/s', cancelUrl: 'https://a.example/c' })
      .expect(201);
    expect((await refund(unpaid.body.orderId, { full: true }).expect(422)).body.error.code).toBe('REFUNDS.ORDER_NOT_REFUNDABLE');
    expect((await getOrder(t, order.id)).amountRefunded).toBe('0');
  });
});

describe('SELLERS_MAY_REFUND=true, REFUND_APPLICATION_FEE=never', () => {
  let t2: TestApp;
  beforeAll(async () => {
    t2 = await startTestApp({ env: { SELLERS_MAY_REFUND: 'true', REFUND_APPLICATION_FEE: 'never' } });
  });
  afterAll(async () => {
    await t2?.close();
  });

  it('the seller refunds their own order; the platform keeps its fee', async () => {
    const s = await createActiveSeller(t2);
    const b = await createPrincipal(t2, 'buyer');
    const l = await createListing(t2, s, { unitAmount: 5_000 });
    const order = await paidOrder(t2, b, l);
    const res = await t2.http.post(`/orders/${order.id}/refunds`).set(bearer(s.key)).set('Idempotency-Key', randomUUID()).send({ full: true }).expect(201);
    expect(res.body).toMatchObject({ amount: '5000', applicationFeeRefund: '0', transferReversalAmount: '5000' });
    const charge = await t2.stripe.charges.retrieve(order.chargeId, { expand: ['application_fee'] });
    expect((charge.application_fee as { amount_refunded: number }).amount_refunded).toBe(0);
    expect((await getOrder(t2, order.id)).status).toBe('refunded');
  });
});

describe("a failed refund while the charges' funds are pending (a fresh Stripe balance)", () => {
  // this describe's own app and sandbox (the shared ones' platform balance holds earlier tests' funds)
  let outer: { t: TestApp; sql: SqlClient };
  beforeAll(async () => {
    outer = { t, sql };
    t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
    sql = sqlClient(t.databaseUrl);
    seller = await createActiveSeller(t);
    buyer = await createPrincipal(t, 'buyer');
    listing = await createListing(t, seller, { unitAmount: 10_000 });
  });
  afterAll(async () => {
    await sql?.end();
    await t?.close();
    ({ t, sql } = outer);
  });

  it("a failed refund's return refused with balance_insufficient while the charge's funds are pending is retried once funds are available, not lost; a later full refund takes the seller's share back from that return", async () => {
    // a seller whose funds stay on their balance (manual payouts), so what the seller holds is what Stripe holds
    const s = await createActiveSeller(t);
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const own = await createListing(t, s, { unitAmount: 10_000 });
    const order = await paidOrder(t, buyer, own);
    const made = await refund(order.id, { amount: 4_000 }).expect(201);
    const re = made.body.stripeRefundId as string;
    // the platform's available balance cannot cover the return while the charges' funds are pending:
    // another order's refund drew on it too (Stripe keeps the first refund's reversal and fee refund)
    const other = await paidOrder(t, buyer, listing);
    await refund(other.id, { amount: 1_000 }).expect(201);
    expect((await fetch(`${t.sandbox.url}/_sandbox/refunds/${re}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    const waiting = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.errorCode === 'balance_insufficient', 'return refused for want of funds');
    expect(waiting.refunds[0].failureReturn).toMatchObject({ status: 'pending', amount: '3600', transferId: null, errorCode: 'balance_insufficient' });
    expect(waiting.refunds[0].failureReturn.attempts).toBeGreaterThanOrEqual(1);
    expect(waiting.refunds[0].failureReturn.errorMessage).toEqual(expect.any(String));
    const [row] = await sql.query<{ next: Date }>(`SELECT failure_return_next_attempt_at AS next FROM refunds WHERE id = $1`, [made.body.id]);
    expect(row!.next.getTime()).toBeGreaterThan(Date.now()); // waits (backoff), not hammering Stripe

    // the charge's funds become available: balance.available makes the return due, the worker sends it
    t.sandbox.control.advance(3 * 86_400);
    const returned = await waitForOrder(t, order.id, (o) => o.refunds[0]?.failureReturn?.status === 'returned', 'seller share returned after funds became available');
    expect(returned.refunds[0].failureReturn).toMatchObject({ status: 'returned', amount: '3600', transferId: expect.stringMatching(/^tr_/), errorCode: null });
    const sent = await t.stripe.transfers.retrieve(returned.refunds[0].failureReturn.transferId);
    expect(sent).toMatchObject({ amount: 3_600, destination: s.account, metadata: expect.objectContaining({ refund_id: made.body.id }) });

    // the whole order refunded later: the charge's transfer holds only 6000 (Stripe kept the first
    // reversal), so the seller's 3600 that came back by the return is reversed from that return
    const full = await refund(order.id, { full: true }).expect(201);
    expect(full.body).toMatchObject({ status: 'succeeded', amount: '10000', transferReversalAmount: '6000', returnReversal: expect.objectContaining({ status: 'pending' }) });
    const reversed = await waitForOrder(t, order.id, (o) => o.refunds[1]?.returnReversal?.status === 'reversed', 'return transfer reversed for the later refund');
    expect(reversed.refunds[1].returnReversal).toMatchObject({ status: 'reversed', amount: '3600', transferId: sent.id, reversalId: expect.stringMatching(/^trr_/) });
    const reversals = await t.stripe.transfers.listReversals(sent.id);
    expect(reversals.data.map((r) => [r.amount, r.metadata?.refund_id])).toEqual([[3_600, full.body.id]]);
    const entries = await ledgerEntries(t, order.id);
    expect(entries.map((e) => e.kind)).toEqual(['charge', 'refund', 'refund_failed', 'transfer', 'refund', 'refund_return_reversal']);
    expect(entries[5]!.idempotencyKey).toBe(`refund-return-reversal:${reversed.refunds[1].returnReversal.reversalId}`);
    for (const e of entries) expect(e.lines.reduce((sum, l) => sum + BigInt(l.amount), 0n)).toBe(0n);
    // a fully refunded order: the seller keeps nothing of it, the platform lost only its fee
    expect(sumLines(entries, 'seller_payable_available', s.id) + sumLines(entries, 'seller_payable_pending', s.id)).toBe(0n);
    expect(sumLines(entries, 'connected_cash_available', s.id) + sumLines(entries, 'connected_cash_pending', s.id)).toBe(0n);
    // (Stripe kept the failed refund's fee refund of 400, so 400 of the fee shows as a loss, 600 as the full refund's fee refund)
    expect(sumLines(entries, 'refund_losses') + sumLines(entries, 'platform_fee_refunds')).toBe(1_000n);
    const sellerBalance = await t.stripe.balance.retrieve({}, { stripeAccount: s.account });
    expect(sellerBalance.available.find((b) => b.currency === 'usd')?.amount ?? 0).toBe(0);
    await expectBooksMatchStripe(t);
  });
});
