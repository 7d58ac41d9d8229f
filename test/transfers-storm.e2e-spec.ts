// A fault storm on POST /v1/transfers across many transfers: every transfer made exactly once, and
// the retries never sent Stripe more per second than the request budget (counted at the sandbox).
// 160 transfers by default; TRANSFER_STORM_ORDERS=125 for 500. Run by hand on 2026-12-01 (2 vCPU,
// load average 4 to 6 from other jobs): 500 transfers, 498 faults fired, 510 create attempts on the
// rows, 982 POST /v1/transfers at the sandbox (at most 24 in a calendar or sliding second, budget
// 25), 3,101 requests in all (at most 96 / 99, budget 100); no duplicate, books matched; 51 s.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, expectWithinBudget, paidCart } from './support/transfers.js';

const SELLERS = 4;
const ORDERS = Number(process.env.TRANSFER_STORM_ORDERS ?? 40); // 4 transfers each: 160 by default
// Stripe's live shape: 100/s in all, POST /v1/transfers 25/s of its own; every attempt (retries too) takes a slot
const BUDGET = { STRIPE_REQUESTS_PER_SECOND: '100', STRIPE_TRANSFERS_PER_SECOND: '25' };

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '50', TRANSFERS_RETRY_BASE_MS: '50', ...BUDGET } });
});
afterAll(async () => {
  t?.sandbox.control.clearFaults();
  await t?.close();
});

it(`30% 500s, 10% lost answers, 10% 429s on /v1/transfers across ${ORDERS * SELLERS} transfers: no duplicates, all succeeded, books match Stripe`, async () => {
  const sellers: ActiveSeller[] = [];
  for (let i = 0; i < SELLERS; i++) sellers.push(await createActiveSeller(t, `Seller ${i}`));
  const listings = await Promise.all(sellers.map((s, i) => createListing(t, s, { unitAmount: 1_000 + 250 * i, title: `Item ${i}` })));
  const buyer = await createPrincipal(t, 'buyer');

  // counted from here: the orders' checkouts and webhook reads, the transfers and their retries
  t.sandbox.control.resetRequestStats();
  const started = Date.now();
  // the storm is up before the first order is paid: every transfer meets it
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'error_500', fraction: 0.3, count: null });
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'lose_response', fraction: 0.1 / 0.7, count: null });
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/transfers', kind: 'rate_limit', fraction: 0.1 / 0.6, count: null });
  const orders: string[] = [];
  for (let i = 0; i < ORDERS; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, ORDERS - i) }, () =>
        paidCart(
          t,
          buyer,
          listings.map((listingId) => ({ listingId, quantity: 1 })),
        ),
      ),
    );
    orders.push(...batch.map((o) => o.id as string));
  }
  const rows = await waitFor(
    async () => {
      const all = (await adminTransfers(t)).filter((r) => r.kind === 'order');
      return all.length === ORDERS * SELLERS && all.every((r) => r.status === 'succeeded') ? all : undefined;
    },
    180_000,
    'every transfer succeeded',
  );
  const hits = t.sandbox.control.faults.list().reduce((s, f) => s + f.hits, 0);
  // at the sandbox, before the test's own reads below: no second over the budget, calendar or sliding
  const window = Math.min(600, Math.ceil((Date.now() - started) / 1000) + 5);
  const transfersAtStripe = t.sandbox.control.requestStats({ key: 'POST /v1/transfers', windowSeconds: window });
  const allAtStripe = t.sandbox.control.requestStats({ key: 'total', windowSeconds: window });
  t.sandbox.control.clearFaults();
  expect(hits).toBeGreaterThan(ORDERS); // the storm did happen

  // exactly one Stripe transfer per row, counted at the sandbox by metadata
  const counts = new Map<string, number>();
  for await (const tr of t.stripe.transfers.list({ limit: 100 })) {
    const id = tr.metadata.transfer_id;
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  expect(counts.size).toBe(ORDERS * SELLERS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(new Set(rows.map((r) => r.id))).toEqual(new Set(counts.keys()));
  expect(new Set(rows.map((r) => r.orderId))).toEqual(new Set(orders));
  // eslint-disable-next-line no-console
  console.log(
    `transfer storm: ${rows.length} transfers, ${hits} faults fired, ${rows.reduce((s, r) => s + r.attempts, 0)} Stripe create attempts recorded on the rows; at Stripe: POST /v1/transfers ${transfersAtStripe.total} (max ${transfersAtStripe.max_per_second} in a calendar second, ${transfersAtStripe.max_in_any_second} in any second; budget ${BUDGET.STRIPE_TRANSFERS_PER_SECOND}), all requests ${allAtStripe.total} (max ${allAtStripe.max_per_second} / ${allAtStripe.max_in_any_second}; budget ${BUDGET.STRIPE_REQUESTS_PER_SECOND})`,
  );
  expect(transfersAtStripe.total).toBeGreaterThan(ORDERS * SELLERS); // the retries are in the count
  expectWithinBudget(transfersAtStripe, Number(BUDGET.STRIPE_TRANSFERS_PER_SECOND));
  expectWithinBudget(allAtStripe, Number(BUDGET.STRIPE_REQUESTS_PER_SECOND));

  await expectBooksMatchStripe(t, { timeoutMs: 60_000 });
}, 300_000);
