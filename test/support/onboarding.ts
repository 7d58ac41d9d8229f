import { bearer, createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { waitFor } from './process.js';
import { sqlClient } from './sql.js';
import type { TestApp } from './test-app.js';

export interface Seller extends PrincipalWithKey {
  account: string;
}

/** A seller with a connected account (made through whichever API the app is set to). */
export async function sellerWithAccount(t: TestApp, body: Record<string, unknown> = {}): Promise<Seller> {
  const seller = await createPrincipal(t, 'seller');
  const res = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send(body).expect(201);
  return { ...seller, account: res.body.stripeAccountId };
}

export async function onboardingLink(t: TestApp, seller: PrincipalWithKey): Promise<string> {
  const res = await t.http.post('/sellers/me/onboarding-link').set(bearer(seller.key)).send().expect(201);
  return res.body.url;
}

/** A person fills in the sandbox's hosted onboarding page; returns where Stripe sends them (303). */
export async function submitOnboarding(url: string, outcome: 'complete' | 'requirements_due' | 'rejected' | 'pending', accountNumber = '000123456789'): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ outcome, account_number: accountNumber, routing_number: '110000000' }),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`the onboarding page answered ${res.status}`);
  return res.headers.get('location')!;
}

export const me = async (t: TestApp, seller: PrincipalWithKey) => (await t.http.get('/sellers/me').set(bearer(seller.key)).expect(200)).body;

/** Waits until an event (not our own read) has brought the seller to `status`; `from` says which events count. */
export async function waitForEventStatus(
  t: TestApp,
  seller: PrincipalWithKey,
  status: string,
  from: (syncedFrom: string, body: Awaited<ReturnType<typeof me>>) => boolean | Promise<boolean> = (s) => s.startsWith('evt_'),
) {
  let last: unknown;
  try {
    return await waitFor(
      async () => {
        const body = await me(t, seller);
        last = body;
        return body.status === status && body.lastSyncedFrom && (await from(String(body.lastSyncedFrom), body)) ? body : undefined;
      },
      15_000,
      `seller ${seller.id} ${status} through an event`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
  }
}

export const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/**
 * Requests (or unrequests) a seller's transfers capability as the API that made the account does:
 * v1 `capabilities.transfers`, v2 the recipient's `stripe_balance.stripe_transfers`.
 */
export async function setTransfersCapability(t: TestApp, account: string, requested: boolean): Promise<void> {
  const sql = sqlClient(t.databaseUrl);
  try {
    const row = await sql.one<{ accounts_api: string }>(`SELECT accounts_api FROM seller_accounts WHERE stripe_account_id = $1`, [account]);
    if (row.accounts_api === 'v2') await t.stripe.v2.core.accounts.update(account, { configuration: { recipient: { capabilities: { stripe_balance: { stripe_transfers: { requested } } } } } });
    else await t.stripe.accounts.update(account, { capabilities: { transfers: { requested } } });
  } finally {
    await sql.end();
  }
}

/**
 * 20 concurrent POST /sellers/me/connected-account for one new seller: all answered 200/201, one
 * 201, one account id, and Stripe (as `listAccounts` reads it) holds exactly that account for them.
 */
export async function expectOneAccountFromConcurrentCreates(t: TestApp, listAccounts: () => Promise<Array<{ id: string; metadata?: Record<string, string> | null }>>): Promise<void> {
  const seller = await createPrincipal(t, 'seller');
  const responses = await Promise.all(Array.from({ length: 20 }, () => t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({})));
  expect(responses.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
  const ids = new Set(responses.map((r) => r.body.stripeAccountId));
  expect(ids.size).toBe(1);
  expect(responses.filter((r) => r.status === 201).length).toBe(1);
  expect((await listAccounts()).filter((a) => a.metadata?.seller_id === seller.id).map((a) => a.id)).toEqual([...ids]);
}
