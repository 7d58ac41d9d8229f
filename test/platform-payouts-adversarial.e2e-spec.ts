// Review r2: the platform's own payouts under hostile delivery: every event twice and shuffled, a
// canceled payout (payout_cancel), a failed one, a paid one; then a platform payout whose webhooks
// never came, found by a run and healed by re-sync, and a failure whose webhooks never came, healed by backfill; each cleared by the next run.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { payoutEntriesOf } from './support/platform-payouts.js';
import { waitFor } from './support/process.js';
import { type DiscrepancyJson, described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

describe("the platform's own payouts, adversarially", () => {
  const t = testAppForFile();
  const sql = () => t.app.get(DataSource);
  afterEach(() => {
    t.sandbox.control.setWebhookFaults({ outage: false, duplicate: 1, shuffle: false });
  });
  const entriesOf = (po: string) => payoutEntriesOf(t, po);
  const about = (found: DiscrepancyJson[], stripeId: string) => found.filter((d) => d.stripe.objectId === stripeId || d.stripe.balanceTransactionId === stripeId);
  const heal = (id: string, body: object) => t.http.post(`/admin/reconciliation/discrepancies/${id}/heal`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);

  beforeAll(async () => {
    const seller = await createActiveSeller(t, 'Sells for the platform');
    const buyer = await createPrincipal(t, 'buyer');
    for (let i = 0; i < 4; i++) await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 10_000 }));
    await fundsAvailable(t);
  });

  it('canceled, failed and paid, every event delivered twice in random order: each movement booked once, the books equal Stripe, a run finds nothing', async () => {
    t.sandbox.control.setWebhookFaults({ outage: true, duplicate: 2, shuffle: true });
    const canceled = await t.stripe.payouts.create({ amount: 150, currency: 'usd' });
    const failing = await t.stripe.payouts.create({ amount: 120, currency: 'usd' });
    const paid = await t.stripe.payouts.create({ amount: 90, currency: 'usd' });
    expect((await t.stripe.payouts.cancel(canceled.id)).status).toBe('canceled');
    t.sandbox.control.failPayout(failing.id, 'account_closed');
    t.sandbox.control.advance(5 * 86_400);
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();

    await waitFor(async () => ((await entriesOf(canceled.id)).length === 2 && (await entriesOf(failing.id)).length === 2 ? true : undefined), 20_000, 'returns booked');
    await waitFor(async () => ((await entriesOf(paid.id)).length === 1 ? true : undefined), 20_000, 'paid booked');
    const turnedAround = (n: number) => [
      { kind: 'platform_payout', cash: String(-n), payouts: String(n) },
      { kind: 'platform_payout_returned', cash: String(n), payouts: String(-n) },
    ];
    expect(await entriesOf(canceled.id)).toEqual(turnedAround(150));
    expect(await entriesOf(failing.id)).toEqual(turnedAround(120));
    expect(await entriesOf(paid.id)).toEqual([{ kind: 'platform_payout', cash: '-90', payouts: '90' }]);
    await expectBooksMatchStripe(t);

    const run = await reconcile(t);
    expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
    const [{ n }]: Array<{ n: number }> = await sql().query(
      `SELECT count(*)::int AS n FROM reconciliation_items WHERE run_id = $1 AND balance = 'platform' AND type IN ('payout', 'payout_failure', 'payout_cancel') AND outcome = 'matched'`,
      [run.id],
    );
    expect(n).toBe(5);
  });

  it('a platform payout whose webhooks never came: missing_in_ledger on the platform; re-synced, booked once; the next run clears it', async () => {
    t.sandbox.control.setWebhookFaults({ outage: true });
    const lost = await t.stripe.payouts.create({ amount: 70, currency: 'usd' });
    t.sandbox.control.advance(301);

    const first = await reconcile(t);
    const [missing, ...others] = about(await discrepanciesOf(t, first.id), lost.balance_transaction as string);
    expect(others).toEqual([]);
    expect(missing).toMatchObject({ kind: 'missing_in_ledger', balance: 'platform', stripe: { balanceTransactionId: lost.balance_transaction, amount: '-70' } });

    expect((await heal(missing.id, { action: 'resync' }).expect(200)).body).toMatchObject({ status: 'healed' });
    await waitFor(async () => ((await entriesOf(lost.id)).length === 1 ? true : undefined), 20_000, 're-synced payout booked');
    // the withheld deliveries arrive after the heal: nothing booked twice
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    expect(await entriesOf(lost.id)).toEqual([{ kind: 'platform_payout', cash: '-70', payouts: '70' }]);
    await expectBooksMatchStripe(t);

    const second = await reconcile(t);
    const [{ status }]: Array<{ status: string }> = await sql().query(`SELECT status FROM reconciliation_discrepancies WHERE id = $1`, [missing.id]);
    expect(status).toBe('cleared');
    expect(described(await discrepanciesOf(t, second.id, { status: 'open' }))).toEqual([]);
  });
  it("a platform payout's failure whose webhooks never came: its payout_failure missing_in_ledger; healed by backfill, the return booked once; the next run clears it", async () => {
    const failing = await t.stripe.payouts.create({ amount: 60, currency: 'usd' });
    await t.sandbox.control.webhooksIdle();
    await waitFor(async () => ((await entriesOf(failing.id)).length === 1 ? true : undefined), 20_000, 'payout booked');
    t.sandbox.control.setWebhookFaults({ outage: true });
    const failed = t.sandbox.control.failPayout(failing.id, 'account_closed');
    const failure = failed.failure_balance_transaction as string;
    t.sandbox.control.advance(301);

    const first = await reconcile(t);
    const found = about(await discrepanciesOf(t, first.id), failing.id);
    expect(found.map((d) => [d.kind, d.stripe.balanceTransactionId])).toEqual([['missing_in_ledger', failure]]);

    expect((await heal(found[0]!.id, { action: 'backfill' }).expect(200)).body).toMatchObject({ status: 'healed' });
    await waitFor(async () => ((await entriesOf(failing.id)).length === 2 ? true : undefined), 20_000, 'return booked by the backfill');
    t.sandbox.control.releaseWebhooks();
    await t.sandbox.control.webhooksIdle();
    expect(await entriesOf(failing.id)).toEqual([
      { kind: 'platform_payout', cash: '-60', payouts: '60' },
      { kind: 'platform_payout_returned', cash: '60', payouts: '-60' },
    ]);
    await expectBooksMatchStripe(t);

    const second = await reconcile(t);
    const [{ status }]: Array<{ status: string }> = await sql().query(`SELECT status FROM reconciliation_discrepancies WHERE id = $1`, [found[0]!.id]);
    expect(status).toBe('cleared');
    expect(described(await discrepanciesOf(t, second.id, { status: 'open' }))).toEqual([]);
  });
});
