import { createPrincipal } from '../factories/principal.factory.js';
import { createActiveSeller, createListing, type ActiveSeller } from '../factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './checkout.js';
import type { TestApp } from './test-app.js';

/** The connected account's available USD balance as Stripe reports it. */
export const usdAvailable = async (t: TestApp, account: string) => (await t.stripe.balance.retrieve({}, { stripeAccount: account })).available.find((b) => b.currency === 'usd')?.amount ?? 0;

/** An active seller who sold one item of `unitAmount`, the books matched and the funds available at Stripe and in the ledger (on a manual payout schedule, they stay). */
export async function sellerWithFunds(t: TestApp, unitAmount = 4_000): Promise<ActiveSeller & { available: number }> {
  const seller = await createActiveSeller(t);
  const buyer = await createPrincipal(t, 'buyer');
  await paidOrder(t, buyer, await createListing(t, seller, { unitAmount, title: 'Bowl' }));
  await expectBooksMatchStripe(t);
  return { ...seller, available: await usdAvailable(t, seller.account) };
}
