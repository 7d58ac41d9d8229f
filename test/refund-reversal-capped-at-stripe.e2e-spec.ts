// A refund's reversal never asks Stripe for more than is left of the transfer as Stripe reports it
// (its amount less amount_reversed): here 800 of A's 900 was reversed outside our rows (the
// Dashboard), so a full refund's part of 900 reverses the 100 left and the other 800 is A's debt.
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { madeOrderFundsAvailable, fundsAvailable, refundOrder, sellerDebtsOf, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

it("800 of A's 900 reversed at Stripe outside our rows; a full refund: Stripe is asked for 100, the other 800 is A's debt", async () => {
  const { shop, order } = await madeOrderFundsAvailable(t);
  const aTransfer = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  await t.stripe.transfers.createReversal(aTransfer.stripeTransferId, { amount: 800 });
  await t.sandbox.control.webhooksIdle();

  await refundOrder(t, order.id, { full: true }).expect(201);
  await fundsAvailable(t);
  const aPart = (await getOrder(t, order.id)).transferReversals.find((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(aPart).toMatchObject({ kind: 'reversal', status: 'succeeded', amount: '900', shortfall: '800' });
  expect((await t.stripe.transfers.listReversals(aTransfer.stripeTransferId)).data.map((r) => r.amount).sort((x, y) => x - y)).toEqual([100, 800]);
  expect((await sellerDebtsOf(t, shop.a.id)).map((d: { amount: string }) => d.amount)).toEqual(['800']);
  await expectBooksMatchStripe(t);
});
