import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, destinationCharge, onboardedAccount, sdk, usd, useWiredSandbox, type Receiver } from './support/stripe-sandbox-harness.js';

// balance.available: "Occurs whenever your Stripe balance has been updated (e.g., when a charge is
// available to be paid out) ... not fired for negative transactions." One event per account per
// moment, with the Balance GET /v1/balance answers; connected accounts' events carry `account`.
describe('stripe sandbox balance.available events', () => {
  let receiver: Receiver;
  let sandbox: RunningSandbox;

  useWiredSandbox((w) => ({ receiver, sandbox } = w));

  const idle = () => control(sandbox.url, 'GET', '/_sandbox/webhooks/idle');
  const balanceEvents = async (stripe: Stripe, account?: string) => (await stripe.events.list({ type: 'balance.available', limit: 100 }, account ? { stripeAccount: account } : {})).data;

  it('when pending funds reach available_on: one platform event and one connect event per connected account', async () => {
    const stripe = sdk(sandbox, 'sk_test_balance_events_one');
    const [a, b] = [await onboardedAccount(stripe), await onboardedAccount(stripe)];
    const first = await destinationCharge(stripe, a, { amount: 10_000, fee: 1000 });
    await destinationCharge(stripe, a, { amount: 5000, fee: 500 });
    await destinationCharge(stripe, b, { amount: 2000, fee: 200 });
    expect(await balanceEvents(stripe)).toEqual([]);
    expect(await balanceEvents(stripe, a)).toEqual([]);

    const txn = await stripe.balanceTransactions.retrieve(first.balance_transaction as string);
    expect(txn.status).toBe('pending');
    await advance(sandbox, txn.available_on - sandbox.control.now() - 1);
    expect(await balanceEvents(stripe)).toEqual([]);
    await advance(sandbox, 1);
    await idle();

    const [platformEvent, ...morePlatform] = await balanceEvents(stripe);
    expect(morePlatform).toEqual([]);
    expect(platformEvent!.account).toBeUndefined();
    expect(platformEvent!.created).toBe(txn.available_on);
    const platformBalance = await stripe.balance.retrieve();
    expect(platformEvent!.data.object).toEqual(platformBalance);
    // 17 000 charged, Stripe's fees (320 + 175 + 88), 15 300 transferred, 1 700 of application fees
    expect(usd(platformBalance, 'available')).toBe(17_000 - 583 - 17_000 + 1700);

    for (const [account, expected] of [
      [a, 13_500],
      [b, 1800],
    ] as const) {
      const events = await balanceEvents(stripe, account);
      expect(events).toHaveLength(1);
      expect(events[0]!.account).toBe(account);
      expect(events[0]!.data.object).toEqual(await stripe.balance.retrieve({}, { stripeAccount: account }));
      expect(usd(events[0]!.data.object as Stripe.Balance, 'available')).toBe(expected);
      expect(usd(events[0]!.data.object as Stripe.Balance, 'pending')).toBe(0);
    }

    // delivered, signed, to the platform endpoint and (with `account`) to the Connect endpoint
    const delivered = receiver.received.filter((r) => r.event.type === 'balance.available' && r.event.created === txn.available_on);
    expect(delivered.filter((r) => r.path === '/platform').map((r) => r.event.id)).toContain(platformEvent!.id);
    expect(
      delivered
        .filter((r) => r.path === '/connect')
        .map((r) => r.event.account)
        .sort(),
    ).toEqual(expect.arrayContaining([a, b].sort()));

    // nothing more becomes available later (payouts are negative transactions)
    await advance(sandbox, 3 * 86_400);
    expect(await balanceEvents(stripe)).toHaveLength(1);
    expect(await balanceEvents(stripe, a)).toHaveLength(1);
  });

  it('funds available at once fire it at once: a pm_card_bypassPending charge, an immediate transfer, a reversal', async () => {
    const stripe = sdk(sandbox, 'sk_test_balance_events_two');
    const account = await onboardedAccount(stripe);
    await stripe.paymentIntents.create({ amount: 10_000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
    const [charged] = await balanceEvents(stripe);
    expect(charged!.created).toBe(sandbox.control.now());
    expect(usd(charged!.data.object as Stripe.Balance, 'available')).toBe(10_000 - 320);
    expect((await stripe.events.list({ limit: 1 })).data[0]!.type).toBe('balance.available');

    const transfer = await stripe.transfers.create({ amount: 3000, currency: 'usd', destination: account });
    // the platform's side is negative: no event for it; the destination's funds are available at once
    expect(await balanceEvents(stripe)).toHaveLength(1);
    const [received] = await balanceEvents(stripe, account);
    expect(received!.account).toBe(account);
    expect(usd(received!.data.object as Stripe.Balance, 'available')).toBe(3000);

    await stripe.transfers.createReversal(transfer.id, { amount: 1000 });
    const platform = await balanceEvents(stripe);
    expect(platform).toHaveLength(2);
    expect(usd(platform[0]!.data.object as Stripe.Balance, 'available')).toBe(10_000 - 320 - 3000 + 1000);
    expect(await balanceEvents(stripe, account)).toHaveLength(1);
  });
});
