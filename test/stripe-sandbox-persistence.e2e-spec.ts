import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, destinationCharge, onboardedAccount, sdk, stripeError, usd, waitUntil } from './support/stripe-sandbox-harness.js';

// SANDBOX_STATE_FILE / `stateFile`: a restarted sandbox still has everything.
describe('stripe sandbox state file', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-state-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps accounts, balances, charges, transfers, events, idempotency keys and the clock across a restart', async () => {
    const stateFile = path.join(dir, 'nested', 'state.json');
    const first = await startSandbox({ port: 0, stateFile });
    const stripe = sdk(first);
    const account = await onboardedAccount(stripe);
    const charge = await destinationCharge(stripe, account, { amount: 10_000, fee: 1000 });
    await stripe.paymentIntents.create({ amount: 50_000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
    const transfer = await stripe.transfers.create({ amount: 2500, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' });
    await advance(first, 3600);
    const clockBefore = first.control.now();
    const platformBalance = await stripe.balance.retrieve();
    const accountBalance = await stripe.balance.retrieve({}, { stripeAccount: account });
    const platformEvents = await stripe.events.list({ limit: 100 });
    const accountEvents = await stripe.events.list({ limit: 100 }, { stripeAccount: account });
    expect(platformEvents.data.length).toBeGreaterThan(5);
    expect(accountEvents.data.length).toBeGreaterThan(0);
    // Written shortly after a change even without a clean shutdown.
    await waitUntil(() => fs.existsSync(stateFile) && JSON.parse(fs.readFileSync(stateFile, 'utf8')).tables.transfers.length === 2);
    await first.close();

    const second = await startSandbox({ port: 0, stateFile });
    try {
      const again = sdk(second);
      expect(second.control.now()).toBe(clockBefore);
      const restored = await again.accounts.retrieve(account);
      expect(restored.charges_enabled).toBe(true);
      expect(restored.external_accounts?.data).toHaveLength(1);
      expect((await again.charges.retrieve(charge.id)).amount).toBe(10_000);
      expect((await again.transfers.retrieve(transfer.id)).amount).toBe(2500);
      expect(await again.balance.retrieve()).toEqual(platformBalance);
      expect(await again.balance.retrieve({}, { stripeAccount: account })).toEqual(accountBalance);
      expect((await again.events.list({ limit: 100 })).data.map((e) => e.id)).toEqual(platformEvents.data.map((e) => e.id));
      expect((await again.events.list({ limit: 100 }, { stripeAccount: account })).data.map((e) => e.id)).toEqual(accountEvents.data.map((e) => e.id));

      // The idempotency key replays the first transfer and still refuses other parameters.
      const replay = await again.transfers.create({ amount: 2500, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' });
      expect(replay.id).toBe(transfer.id);
      expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
      const mismatch = await stripeError(again.transfers.create({ amount: 2600, currency: 'usd', destination: account }, { idempotencyKey: 'persisted-key' }));
      expect(mismatch.type).toBe('StripeIdempotencyError');
      expect((await again.transfers.list({ destination: account })).data).toHaveLength(2);

      // New ids do not collide with restored ones and time moves on from where it was.
      const later = await again.transfers.create({ amount: 100, currency: 'usd', destination: account });
      expect([charge.id, transfer.id]).not.toContain(later.id);
      await advance(second, 3 * 86_400);
      expect(usd(await again.balance.retrieve({}, { stripeAccount: account }), 'pending')).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('refuses a state file it cannot read, naming the file', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    await expect(startSandbox({ port: 0, stateFile: bad })).rejects.toThrow(bad);
  });
});
