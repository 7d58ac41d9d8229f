// Accounts v2 with CHECKOUT_ON_BEHALF_OF=true: the seller is the merchant of record, so their v2
// account has the merchant configuration (card_payments) beside the recipient one, and destination
// charges carry on_behalf_of. Payout schedules through the Balance Settings API.
import { idempotencyKey, StripeGateway } from '@app/stripe';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { createPrincipal } from './factories/principal.factory.js';
import { createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { me, onboardingLink, sellerWithAccount, submitOnboarding, waitForEventStatus } from './support/onboarding.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { CHECKOUT_ON_BEHALF_OF: 'true' } });
});
afterAll(async () => {
  await t?.close();
});

describe('Accounts v2, the seller as merchant of record', () => {
  it('gets the merchant configuration with card_payments, onboards to active and is paid on_behalf_of; the books match Stripe', async () => {
    const seller = await sellerWithAccount(t, { businessName: 'Merchant Pottery' });
    const account = await t.stripe.v2.core.accounts.retrieve(seller.account, { include: ['configuration.merchant', 'configuration.recipient'] });
    expect([...account.applied_configurations].sort()).toEqual(['merchant', 'recipient']);
    expect(account.configuration?.merchant?.capabilities?.card_payments).toBeDefined();
    expect(account.configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers).toBeDefined();
    expect(await me(t, seller)).toMatchObject({ status: 'pending', capabilities: { cardPayments: 'restricted', transfers: 'restricted' } });

    await submitOnboarding(await onboardingLink(t, seller), 'complete');
    const active = await waitForEventStatus(t, seller, 'active');
    expect(active).toMatchObject({ chargesEnabled: true, payoutsEnabled: true, capabilities: { cardPayments: 'active', transfers: 'active' } });
    expect(await t.app.get(SellerGate).assertCanReceivePayments(seller.id)).toBe(seller.account);

    const buyer = await createPrincipal(t, 'buyer');
    const listing = await createListing(t, seller, { unitAmount: 3_000, title: 'Teapot' });
    const order = await paidOrder(t, buyer, listing);
    const charge = await t.stripe.charges.retrieve(order.chargeId as string);
    expect(charge.on_behalf_of).toBe(seller.account);
    expect(charge.transfer_data?.destination).toBe(seller.account);
    await expectBooksMatchStripe(t);
  });

  it("a v2 seller's payout schedule is set and read through /v1/balance_settings with Stripe-Account", async () => {
    const seller = await sellerWithAccount(t);
    const gateway = t.app.get(StripeGateway);
    expect(await gateway.updatePayoutSchedule(seller.account, 'manual', idempotencyKey('payout_schedule', seller.id))).toMatchObject({ payoutInterval: 'manual' });
    expect(await gateway.retrieveBalanceSettings(seller.account)).toMatchObject({ payoutInterval: 'manual' });
    const settings = await t.stripe.balanceSettings.retrieve({}, { stripeAccount: seller.account });
    expect(settings.payments.payouts?.schedule?.interval).toBe('manual');
  });
});
