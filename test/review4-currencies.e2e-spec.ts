// Review 4: multi-seller transfers in other currencies: a EUR cart on a USD platform (the transfers
// are in what the platform holds, USD), a zero-decimal JPY cart split three ways with remainders.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from './factories/seller.factory.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { paidCart, stripeTransfersOf, waitForTransfers } from './support/transfers.js';

describe.each(['platform', 'sellers'] as const)('MULTI_SELLER_STRIPE_FEE=%s', (policy) => {
  let t: TestApp;
  let sellers: ActiveSeller[];

  beforeAll(async () => {
    t = await startTestApp({ env: { MULTI_SELLER_STRIPE_FEE: policy, TRANSFERS_WORKER_POLL_MS: '50' } });
    sellers = [await createActiveSeller(t, 'A'), await createActiveSeller(t, 'B'), await createActiveSeller(t, 'C')];
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['EUR', [1_001, 2_333, 3_337]],
    ['JPY', [1_001, 2_333, 3_337]],
  ])('a three-seller %s cart: transfers in the settlement currency, each once, sums exact, books match Stripe', async (currency, prices) => {
    const buyer = await createPrincipal(t, 'buyer');
    const items = [];
    for (const [i, s] of sellers.entries()) items.push({ listingId: await createListing(t, s, { unitAmount: prices[i]!, currency }), quantity: 1 });
    const order = await paidCart(t, buyer, items);
    const rows = await waitForTransfers(t, order.id, (x) => x.status === 'succeeded', 'three transfers made');
    expect(rows).toHaveLength(3);
    const atStripe = await stripeTransfersOf(t, order.id);
    expect(atStripe).toHaveLength(3);
    const charge = await t.stripe.charges.retrieve(order.chargeId, { expand: ['balance_transaction'] });
    const txn = charge.balance_transaction as { amount: number; fee: number; currency: string };
    for (const tr of atStripe) expect(tr.currency).toBe(txn.currency);
    const shares = rows.reduce((s, r) => s + BigInt(r.share), 0n);
    expect(shares).toBeLessThanOrEqual(BigInt(txn.amount));
    await expectBooksMatchStripe(t);
  });
});
