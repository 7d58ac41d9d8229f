// The end of a multi-seller order's hold (and Stripe's 90-day bound on it) is counted from the
// charge's `created`, as Stripe reports it, not from when the marketplace processed the payment: a
// payment processed days after its charge was made must not hold the funds days longer. Here the
// sandbox's clock runs 5 days ahead of the database's, so the two starts differ by 5 days.
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { testAppForFile, twoSellerShop } from './support/transfers.js';

const DAY_MS = 86_400_000;

const t = testAppForFile({ TRANSFERS_HOLD_DAYS: '20', TRANSFERS_HOLD_MAX_DAYS: '90' });

it("a held order's transfers are held until the charge's created + holdDays (20), the charge's created stored on the order", async () => {
  const shop = await twoSellerShop(t);
  t.sandbox.control.advance(5 * 86_400);
  const order = await shop.cart();
  const charge = await t.stripe.charges.retrieve(order.chargeId);
  const created = charge.created * 1000;
  const now = await getOrder(t, order.id);
  expect(Date.parse(now.chargeCreatedAt)).toBe(created);
  expect(now.transfers).toHaveLength(2);
  for (const x of now.transfers) {
    expect(Date.parse(x.hold.expiresAt)).toBe(created + 20 * DAY_MS);
    expect(Date.parse(x.hold.holdUntil)).toBe(created + 20 * DAY_MS);
  }
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await expectBooksMatchStripe(t);
});
