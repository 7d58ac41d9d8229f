// Review r2: a platform payout worked before the balance.available that made its funds available
// (webhooks arrive in any order; the availability sweep is off here so nothing else moves them).
// Stripe paid the payout out of its available balance: once the payout is booked, the ledger's
// platform available and pending cash must be Stripe's, as a seller payout's booking already ensures.
import { DataSource } from 'typeorm';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { testAppForFile } from './support/transfers.js';
import { PLATFORM_SECRET } from './support/test-app.js';
import { deliver, eventJson, signature } from './support/webhooks.js';

describe('a platform payout booked before its funds were booked available', () => {
  const t = testAppForFile({ LEDGER_AVAILABILITY_SWEEP_MS: '0' });
  const sql = () => t.app.get(DataSource);
  afterEach(() => {
    t.sandbox.control.setWebhookFaults({ outage: false });
  });
  const platformCash = async (): Promise<{ available: number; pending: number }> => {
    const [row]: Array<{ available: string; pending: string }> = await sql().query(
      `SELECT coalesce(sum(amount) FILTER (WHERE account = 'platform_cash_available'), 0)::text AS available,
              coalesce(sum(amount) FILTER (WHERE account = 'platform_cash_pending'), 0)::text AS pending
         FROM ledger_lines WHERE seller_id IS NULL AND lower(currency) = 'usd'`,
    );
    return { available: Number(row!.available), pending: Number(row!.pending) };
  };
  const stripeCash = async () => {
    const b = await t.stripe.balance.retrieve();
    return { available: b.available.find((x) => x.currency === 'usd')?.amount ?? 0, pending: b.pending.find((x) => x.currency === 'usd')?.amount ?? 0 };
  };

  it('payout.created worked first: the payout leaves available cash Stripe had, not a negative available beside an inflated pending', async () => {
    const seller = await createActiveSeller(t, 'Sells for the platform');
    await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 10_000 }));
    await t.sandbox.control.webhooksIdle();
    t.sandbox.control.setWebhookFaults({ outage: true });
    t.sandbox.control.advance(3 * 86_400); // Stripe makes the funds available; its balance.available is withheld
    const before = await stripeCash();
    expect(before.available).toBeGreaterThan(300);
    const payout = await t.stripe.payouts.create({ amount: 300, currency: 'usd' });

    const payload = eventJson({ id: `evt_r2_${payout.id}`, type: 'payout.created', created: payout.created, data: payout as unknown as Record<string, unknown> });
    await deliver(t, '/webhooks/stripe', payload, signature(payload, PLATFORM_SECRET, Math.floor(Date.now() / 1000))).expect(200);
    await waitFor(
      async () => ((await sql().query(`SELECT 1 FROM ledger_entries WHERE reference_type = 'payout' AND reference_id = $1`, [payout.id])).length ? true : undefined),
      20_000,
      'platform payout booked',
    );
    expect(await platformCash()).toEqual(await stripeCash());

    t.sandbox.control.releaseWebhooks();
    await expectBooksMatchStripe(t);
  });
});
