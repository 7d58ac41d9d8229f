// A scheduled run that could not read a connected account (Stripe refused it: access revoked, a key
// without the permission) must not count that account as reconciled to its window's end: once Stripe
// lets us read it again, the window it could not read is read, and what moved in it is compared.
import { randomUUID } from 'node:crypto';
import { RECONCILIATION_GATEWAY, StripeGatewayError } from '@app/stripe';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { paidOrder } from './support/checkout.js';
import { described, discrepanciesOf, scheduledRuns } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

describe('a balance a scheduled run could not read', () => {
  // a sweep shorter than the time between runs: every account is read by every scheduled run
  const t = testAppForFile({ PAYOUT_MODE: 'reviewed', RECONCILIATION_POLL_MS: '3600000', RECONCILIATION_SWEEP_S: '60' });
  const scheduledRun = scheduledRuns(t, new Date(Date.UTC(2026, 6, 1)));

  /** Stripe refuses every read of `account` (as it does once the platform's access to it is revoked) until the returned function is called. */
  function refuseReadsOf(account: string): () => void {
    const gateway = t.app.get(RECONCILIATION_GATEWAY) as unknown as Record<string, unknown>;
    const names = Object.getOwnPropertyNames(Object.getPrototypeOf(gateway)).filter((n) => n !== 'constructor' && typeof gateway[n] === 'function');
    for (const name of names) {
      const real = (gateway[name] as (...args: unknown[]) => unknown).bind(gateway);
      gateway[name] = (...args: unknown[]) => {
        const about = args.some((a) => a === account || (typeof a === 'object' && a !== null && (a as { account?: unknown }).account === account));
        if (about) throw new StripeGatewayError('STRIPE.AUTHENTICATION', 'The platform does not have access to this account', { httpStatus: 403 });
        return real(...args);
      };
    }
    return () => {
      for (const name of names) delete gateway[name];
    };
  }

  it('reads the window it could not read once the account is readable again: a payout made then is found missing in the ledger', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const seller = await createActiveSeller(t, 'Revoked for a while');
    await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 3_000 }));
    await fundsAvailable(t);
    t.sandbox.control.advance(301);
    const first = await scheduledRun();
    expect(first.balances).toContain(seller.account);
    expect(described(await discrepanciesOf(t, first.id))).toEqual([]);

    // money leaves the account at Stripe, no webhook says so, and Stripe will not let us read the account
    t.sandbox.control.setWebhookFaults({ outage: true });
    const payout = await t.stripe.payouts.create({ amount: 1_000, currency: 'usd' }, { stripeAccount: seller.account });
    const restore = refuseReadsOf(seller.account);
    t.sandbox.control.advance(700);
    const second = await scheduledRun();
    expect(second.balances).toContain(seller.account);
    const unreadable = (await discrepanciesOf(t, second.id, { kind: 'unreadable_balance' })).filter((d) => d.balance === seller.account);
    expect(unreadable.length).toBeGreaterThan(0);

    // access comes back; an admin resolves the unreadable reports
    restore();
    for (const d of unreadable)
      await t.http.post(`/admin/reconciliation/discrepancies/${d.id}/resolve`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ note: 'access restored (test)' }).expect(200);
    t.sandbox.control.advance(700);
    const third = await scheduledRun();
    expect(third.balances).toContain(seller.account);
    // the payout was made in the window the second run could not read: this run reads that window again
    const missing = (await discrepanciesOf(t, third.id, { kind: 'missing_in_ledger' })).filter((d) => d.balance === seller.account);
    expect(missing).toEqual([expect.objectContaining({ stripe: expect.objectContaining({ objectId: payout.id, amount: '-1000' }) })]);
    t.sandbox.control.setWebhookFaults({ outage: false });
  });
});
