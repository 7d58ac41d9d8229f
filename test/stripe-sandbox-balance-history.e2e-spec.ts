import type Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { controlCall, onboardedAccount, sdk } from './support/stripe-sandbox-harness.js';

// POST /_sandbox/balance_history (seedBalanceHistory): a benchmark's past, written straight into the
// tables. The SDK reads it as Stripe's own: charges with fees, automatic payouts carrying their
// share of the balance transactions, and lists that page through 100 000 rows quickly.
describe('stripe sandbox balance history seeding', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  let seller: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    stripe = sdk(sandbox, 'sk_test_balance_history');
    seller = await onboardedAccount(stripe);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const on = () => ({ stripeAccount: seller });

  it('100 000 charges and 100 automatic payouts on a connected account, in seconds, no events', async () => {
    const eventsBefore = (await stripe.events.list({ limit: 100 }, on())).data.length;
    const started = performance.now();
    const seeded = sandbox.control.seedBalanceHistory({ account: seller, transactions: 100_000, payouts: 100 });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(10);
    expect(seeded).toMatchObject({ account: seller, currency: 'usd', transactions: 100_000 });
    expect(seeded.payouts).toHaveLength(100);
    expect((await stripe.events.list({ limit: 100 }, on())).data.length).toBe(eventsBefore);

    // every payout carries 1 000 charges and its own payout transaction, and pays out exactly their net
    const now = sandbox.control.now();
    for (const id of [seeded.payouts[0]!, seeded.payouts[57]!, seeded.payouts[99]!]) {
      const payout = await stripe.payouts.retrieve(id, {}, on());
      expect(payout).toMatchObject({ automatic: true, status: 'paid', reconciliation_status: 'completed', currency: 'usd' });
      expect(payout.arrival_date).toBeLessThanOrEqual(now);
      const carried: Stripe.BalanceTransaction[] = [];
      for await (const t of stripe.balanceTransactions.list({ payout: id, limit: 100 }, on())) carried.push(t);
      expect(carried).toHaveLength(1001);
      const charges = carried.filter((t) => t.type === 'charge');
      expect(charges).toHaveLength(1000);
      expect(carried.find((t) => t.type === 'payout')).toMatchObject({ id: payout.balance_transaction, source: id, amount: -payout.amount });
      expect(charges.reduce((sum, t) => sum + t.net, 0)).toBe(payout.amount);
      for (const t of charges) {
        expect(t.fee).toBeGreaterThan(0);
        expect(t.net).toBe(t.amount - t.fee);
        expect(t.fee_details).toEqual([expect.objectContaining({ type: 'stripe_fee', amount: t.fee })]);
        expect(t.source).toMatch(/^ch_/);
        expect(t.status).toBe('available');
        expect(t.available_on).toBeLessThanOrEqual(payout.created);
        expect(t.created).toBeLessThan(now);
      }
    }
    // each charge transaction's source is a real charge, readable and expandable
    const [newest] = (await stripe.balanceTransactions.list({ limit: 1, type: 'charge', expand: ['data.source'] }, on())).data;
    const charge = newest!.source as Stripe.Charge;
    expect(charge).toMatchObject({ object: 'charge', status: 'succeeded', captured: true, paid: true, amount: newest!.amount, balance_transaction: newest!.id, created: newest!.created });
    expect(await stripe.charges.retrieve(charge.id, {}, on())).toEqual(charge);
    // all of it paid out: nothing left available
    const balance = await stripe.balance.retrieve({}, on());
    expect(balance.available.find((b) => b.currency === 'usd')?.amount).toBe(0);
    expect((await stripe.payouts.list({ limit: 100 }, on())).data).toHaveLength(100);
  });

  it('GET /v1/balance_transactions with a created range pages through 100 000 rows quickly', async () => {
    const now = sandbox.control.now();
    // the seeded past spans payouts + 3 days (100 payouts: 103 days)
    const range = { gte: now - 200 * 86_400, lte: now };
    const pageMs: number[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    let page: Stripe.ApiList<Stripe.BalanceTransaction>;
    do {
      const started = performance.now();
      page = await stripe.balanceTransactions.list({ limit: 100, created: range, ...(cursor ? { starting_after: cursor } : {}) }, on());
      pageMs.push(performance.now() - started);
      for (const t of page.data) seen.add(t.id);
      cursor = page.data.at(-1)?.id;
    } while (page.has_more);
    expect(seen.size).toBe(100_100);
    pageMs.sort((a, b) => a - b);
    // the median page: a few ms on a loaded machine, where a scan of every row per page took far longer
    expect(pageMs[Math.floor(pageMs.length / 2)]).toBeLessThan(50);
  });

  it('over HTTP, on the only platform when no account is given; validated', async () => {
    const alone = await startSandbox({ port: 0 });
    try {
      const platformStripe = sdk(alone, 'sk_test_history_alone');
      const platform = (await platformStripe.accounts.retrieveCurrent()).id;
      const made = await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { transactions: 10, payouts: 2 });
      expect(made.status).toBe(200);
      expect(made.json).toMatchObject({ account: platform, transactions: 10, payouts: [expect.stringMatching(/^po_/), expect.stringMatching(/^po_/)] });
      const txns = await platformStripe.balanceTransactions.list({ limit: 100 });
      expect(txns.data.filter((t) => t.type === 'charge')).toHaveLength(10);
      expect(txns.data.filter((t) => t.type === 'payout')).toHaveLength(2);
      // no payouts: the charges stay in the available balance
      await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { account: platform, transactions: 3 });
      const charges = (await platformStripe.balanceTransactions.list({ limit: 3 })).data;
      const available = (await platformStripe.balance.retrieve()).available.find((b) => b.currency === 'usd')?.amount;
      expect(available).toBe(charges.reduce((sum, t) => sum + t.net, 0));

      expect((await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { transactions: -1 })).status).toBe(400);
      expect((await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { transactions: 1, payouts: 2 })).status).toBe(400);
      expect((await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { account: 'acct_nope', transactions: 1 })).status).toBe(404);
      await sdk(alone, 'sk_test_history_second').balance.retrieve();
      const ambiguous = await controlCall(alone.url, 'POST', '/_sandbox/balance_history', { transactions: 1 });
      expect(ambiguous.status).toBe(400);
      expect(String((ambiguous.json.error as { message: string }).message)).toMatch(/`account` is required: 2 platforms/);
    } finally {
      await alone.close();
    }
  });
});
