// Review 9: a seller's v2 account creation whose answer is lost, retried after the platform turned
// on CHECKOUT_ON_BEHALF_OF (a restart with the new setting). Stripe refuses a key reused with
// another body, so the retry must send the request exactly as it was first sent (the setting and the
// email of then, stored with the intent row) and end with the one account Stripe made.
// Real app (twice, one database), real PostgreSQL, the Stripe sandbox (its lost-response fault).
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let sandbox: RunningSandbox;
let first: TestApp | undefined;
let after: TestApp | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  first = await startTestApp({ sandbox, env: { STRIPE_MAX_RETRIES: '0' } });
});
afterAll(async () => {
  await after?.close();
  await first?.close();
  await sandbox?.close();
});

describe('a lost v2 account creation retried after CHECKOUT_ON_BEHALF_OF changed', () => {
  it('resumes the same request under the same key: one account, the seller onboarding', async () => {
    const before = first!;
    const seller = await createPrincipal(before, 'seller');
    sandbox.control.addFault({ method: 'POST', path: '/v2/core/accounts', kind: 'lose_response', count: 1 });
    const lost = await before.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({});
    expect(lost.status).toBeGreaterThanOrEqual(500);
    first = undefined;
    await before.close();
    after = await startTestApp({ databaseUrl: before.databaseUrl, sandbox, env: { STRIPE_MAX_RETRIES: '0', CHECKOUT_ON_BEHALF_OF: 'true' } });

    const retried = await after.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({});
    expect({ status: retried.status, code: retried.body.error?.code }).toEqual({ status: 201, code: undefined });
    const made = (await after.stripe.v2.core.accounts.list({ limit: 100 })).data.filter((a) => a.metadata?.seller_id === seller.id);
    expect(made.map((a) => a.id)).toEqual([retried.body.stripeAccountId]);
    // what was first asked: a recipient (the platform was not the merchant of record's enabler then)
    const account = await after.stripe.v2.core.accounts.retrieve(made[0]!.id, { include: ['configuration.recipient', 'configuration.merchant'] });
    expect({ recipient: account.configuration?.recipient !== null && account.configuration?.recipient !== undefined, merchant: account.configuration?.merchant ?? null }).toEqual({
      recipient: true,
      merchant: null,
    });
  });
});
