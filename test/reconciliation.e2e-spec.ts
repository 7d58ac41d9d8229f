import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { drainTransferWorkers, fundsAvailable, refundOrder, testAppForFile, twoSellerShop } from './support/transfers.js';

describe('reconciliation', () => {
  const t = testAppForFile({ LOG_LEVEL: 'warn' });

  it('after checkouts, a multi-seller cart with transfers and a refund: zero discrepancies, everything matched', async () => {
    const seller = await createActiveSeller(t, 'Solo');
    const buyer = await createPrincipal(t, 'buyer');
    const listing = await createListing(t, seller, { unitAmount: 2_500 });
    const order = await paidOrder(t, buyer, listing);
    await refundOrder(t, order.id, { amount: '500' }).expect(201);
    const shop = await twoSellerShop(t);
    await shop.cart();
    await drainTransferWorkers(t);
    await fundsAvailable(t);
    await expectBooksMatchStripe(t);

    const run = await reconcile(t);
    const found = await discrepanciesOf(t, run.id);
    expect(described(found)).toEqual([]);
    expect(run.status).toBe('completed');
    expect(run.counts.matched).toBe(run.counts.stripeTransactions);
    expect(run.counts.stripeTransactions).toBeGreaterThan(5);
    const platform = run.matched.find((m: { balance: string }) => m.balance === 'platform');
    expect(platform).toMatchObject({ currency: 'USD' });
    expect(platform.matched).toBe(platform.compared);
  });
});
