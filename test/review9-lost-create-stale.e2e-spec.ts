// Review 9: the answer to a seller's v2 account creation is lost (a crash between Stripe's answer
// and our commit), and Stripe's view of the account changes before the seller retries. Every
// event about the account arrives while no seller row holds its id: all quarantined, never worked
// again. The retry, under the same key, gets the creation's saved answer back: stored as if read
// now, it must not leave the seller where they were at creation while Stripe says otherwise.
import pg from 'pg';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { me, submitOnboarding } from './support/onboarding.js';
import { waitFor } from './support/process.js';
import { sqlClient, type SqlClient } from './support/sql.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let sql: SqlClient;

beforeAll(async () => {
  t = await startTestApp();
  sql = sqlClient(t.databaseUrl);
});
afterAll(async () => {
  await sql?.end();
  await t?.close();
});

/** The account onboarded to active at Stripe, through a link we did not make (our row lacks its id). */
async function onboardAtStripe(account: string): Promise<void> {
  const link = await t.stripe.v2.core.accountLinks.create({
    account,
    use_case: {
      type: 'account_onboarding',
      account_onboarding: { refresh_url: `${t.baseUrl}/onboarding/refresh`, return_url: `${t.baseUrl}/onboarding/return`, collection_options: { fields: 'currently_due' } },
    },
  });
  await submitOnboarding(link.url, 'complete');
  await t.sandbox.control.webhooksIdle();
}

describe('a lost v2 account creation, retried after the account changed at Stripe', () => {
  it('the retry stores the account as Stripe shows it now, not the saved creation answer', async () => {
    const seller = await createPrincipal(t, 'seller');
    const account = (await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201)).body.stripeAccountId as string;
    expect((await me(t, seller)).status).toBe('pending');
    // as if our commit of the answer had never happened: the intent row, without the account id
    await sql.query(`UPDATE seller_accounts SET stripe_account_id = NULL WHERE seller_id = $1`, [seller.id]);
    await t.sandbox.control.webhooksIdle();
    const earlier = (await sql.query<{ id: string }>(`SELECT id FROM webhook_events WHERE account = $1`, [account])).map((e) => e.id);

    // meanwhile the account moves at Stripe (here: onboarded to active); its events find no seller
    await onboardAtStripe(account);
    const events = await waitFor(
      async () => {
        const rows = await sql.query<{ status: string }>(`SELECT status FROM webhook_events WHERE account = $1 AND NOT id = ANY($2)`, [account, earlier]);
        return rows.length > 0 ? rows : undefined;
      },
      10_000,
      'events about the account stored',
    );
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(['quarantined']));
    expect((await t.stripe.v2.core.accounts.retrieve(account, { include: ['configuration.recipient'] })).configuration?.recipient?.capabilities?.stripe_balance?.stripe_transfers?.status).toBe(
      'active',
    );

    // the seller retries: the same key, the same account
    const again = await t.http.post('/sellers/me/connected-account').set(bearer(seller.key)).send({}).expect(201);
    expect(again.body.stripeAccountId).toBe(account);
    await t.sandbox.control.webhooksIdle();
    expect(await me(t, seller)).toMatchObject({ status: 'active', detailsSubmitted: true, capabilities: { transfers: 'active' } });
  });

  it("a change announced between Stripe's answer and our commit of the account id is worked once the id is stored", async () => {
    const seller = await createPrincipal(t, 'seller');
    const lock = new pg.Client({ connectionString: t.databaseUrl });
    await lock.connect();
    try {
      t.sandbox.control.addFault({ method: 'POST', path: '/v2/core/accounts', kind: 'latency', latencyMs: 500, count: 1 });
      const opened = t.http
        .post('/sellers/me/connected-account')
        .set(bearer(seller.key))
        .send({})
        .then((r) => r);
      await waitFor(async () => ((await sql.query(`SELECT 1 FROM seller_accounts WHERE seller_id = $1`, [seller.id])).length ? true : undefined), 10_000, 'intent row');
      // our commit of the answer is slow (held here by a row lock): the account exists at Stripe, not in our row
      await lock.query('BEGIN');
      await lock.query(`SELECT 1 FROM seller_accounts WHERE seller_id = $1 FOR UPDATE`, [seller.id]);
      const account = await waitFor(
        async () => (await t.stripe.v2.core.accounts.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })).find((a) => a.metadata?.seller_id === seller.id)?.id,
        10_000,
        'the account made at Stripe',
      );
      await onboardAtStripe(account);
      const events = await sql.query<{ status: string }>(`SELECT status FROM webhook_events WHERE account = $1`, [account]);
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.status))).toEqual(new Set(['quarantined']));
      await lock.query('COMMIT');
      expect((await opened).status).toBe(201);
      // the quarantined events are worked now that the account is ours: the seller ends where Stripe says
      await waitFor(async () => ((await me(t, seller)).status === 'active' ? true : undefined), 15_000, 'seller active');
      expect(await me(t, seller)).toMatchObject({ status: 'active', detailsSubmitted: true, capabilities: { transfers: 'active' } });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
  });
});
