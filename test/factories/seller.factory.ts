import { waitFor } from '../support/process.js';
import type { TestApp } from '../support/test-app.js';
import { bearer, createPrincipal, type PrincipalWithKey } from './principal.factory.js';

export interface ActiveSeller extends PrincipalWithKey {
  account: string;
}

/**
 * A seller taken to `active` the way a person does it: connected account, Stripe-hosted onboarding
 * completed in the sandbox (test bank account, or `accountNumber`: the sandbox's failing numbers fail
 * its payouts), account.updated webhook processed.
 */
export async function createActiveSeller(t: TestApp, name?: string, accountNumber = '000123456789'): Promise<ActiveSeller> {
  const seller = await createPrincipal(t, 'seller', name);
  const created = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({ country: 'US' }).expect(201);
  const link = await t.http.post('/sellers/me/onboarding-link').set(bearer(seller.key)).send().expect(201);
  const res = await fetch(link.body.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ outcome: 'complete', account_number: accountNumber, routing_number: '110000000' }),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`onboarding form answered ${res.status}`);
  await waitFor(async () => ((await t.http.get('/sellers/me').set(bearer(seller.key))).body.status === 'active' ? true : undefined), 15_000, `seller ${seller.id} active`);
  return { ...seller, account: created.body.stripeAccountId };
}

/** A listing of the seller's, through the API. */
export async function createListing(t: TestApp, seller: PrincipalWithKey, input: { unitAmount: number | string; currency?: string; title?: string }): Promise<string> {
  const res = await t.http
    .post('/listings')
    .set(bearer(seller.key))
    .send({ title: input.title ?? 'Stoneware mug', unitAmount: input.unitAmount, currency: input.currency ?? 'USD' })
    .expect(201);
  return res.body.id as string;
}
