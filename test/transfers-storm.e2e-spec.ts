// A fault storm on POST /v1/transfers across many transfers: every transfer made exactly once.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { adminTransfers, paidCart } from './support/transfers.js';

const SELLERS = 4;
const ORDERS = Number(process.env.TRANSFER_STORM_ORDERS ?? 40); // 4 transfers each: 160 by default

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '50', TRANSFERS_RETRY_BASE_MS: '50' } });
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
  console.log(`transfer storm: ${rows.length} transfers, ${hits} faults fired, ${rows.reduce((s, r) => s + r.attempts, 0)} Stripe create attempts recorded on the rows`);

  await expectBooksMatchStripe(t, { timeoutMs: 60_000 });
}, 300_000);
