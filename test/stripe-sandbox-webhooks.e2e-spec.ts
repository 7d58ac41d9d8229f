import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, destinationCharge, onboardedAccount, sdk, startReceiver, startWiredSandbox, useWiredSandbox, type Receiver } from './support/stripe-sandbox-harness.js';

// Webhook delivery under faults (duplicates, shuffling, outages, a failing receiver) and the
// events API the marketplace's backfill relies on.
describe('stripe sandbox webhooks and events', () => {
  let receiver: Receiver;
  let sandbox: RunningSandbox;
  let stripe: Stripe;

  useWiredSandbox((w) => ({ receiver, sandbox, stripe } = w));
  afterEach(async () => {
    receiver.respond = () => null;
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { duplicate: 1, shuffle: false, outage: false });
    await sandbox.control.webhooksIdle();
  });

  const idle = () => control(sandbox.url, 'GET', '/_sandbox/webhooks/idle');
  const deliveredIds = (id: string) => receiver.events.filter((e) => e.id === id).length;
  async function createdEvent(): Promise<Stripe.Event> {
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const events = await stripe.events.list({ type: 'payment_intent.created', limit: 100 });
    const event = events.data.find((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id);
    if (!event) throw new Error('no payment_intent.created event');
    return event;
  }

  it('delivers each event k times when asked to duplicate', async () => {
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { duplicate: 3 });
    const event = await createdEvent();
    await idle();
    expect(deliveredIds(event.id)).toBe(3);
    expect((await stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);
  });

  it('delivers in shuffled order, each event once', async () => {
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { shuffle: true });
    const account = await onboardedAccount(stripe);
    const start = receiver.received.length;
    let reordered = false;
    for (let i = 0; i < 4 && !reordered; i++) {
      const from = receiver.received.length;
      await destinationCharge(stripe, account);
      await idle();
      const arrived = receiver.received
        .slice(from)
        .filter((r) => r.path === '/platform')
        .map((r) => r.event);
      const listed = (await stripe.events.list({ limit: 100 })).data.filter((e) => arrived.some((a) => a.id === e.id)).reverse();
      expect(arrived.map((e) => e.id).sort()).toEqual(listed.map((e) => e.id).sort());
      if (arrived.map((e) => e.id).join() !== listed.map((e) => e.id).join()) reordered = true;
    }
    expect(reordered).toBe(true);
    const ids = receiver.received.slice(start).map((r) => r.event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('withholds deliveries during an outage, reports them undelivered, and delivers them on release', async () => {
    await control(sandbox.url, 'POST', '/_sandbox/webhooks/faults', { outage: true });
    const a = await createdEvent();
    const b = await createdEvent();
    const during = await idle();
    expect(during.withheld).toBe(2);
    expect(deliveredIds(a.id) + deliveredIds(b.id)).toBe(0);
    const undelivered = await stripe.events.list({ delivery_success: false, limit: 100 });
    expect(undelivered.data.map((e) => e.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect((await stripe.events.retrieve(a.id)).pending_webhooks).toBe(1);

    const released = await control(sandbox.url, 'POST', '/_sandbox/webhooks/release');
    expect(released.released).toBe(2);
    await idle();
    expect(deliveredIds(a.id)).toBe(1);
    expect(deliveredIds(b.id)).toBe(1);
    const stillUndelivered = await stripe.events.list({ delivery_success: false, limit: 100 });
    expect(stillUndelivered.data.map((e) => e.id)).not.toContain(a.id);
    const delivered = await stripe.events.list({ delivery_success: true, limit: 100 });
    expect(delivered.data.map((e) => e.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('retries a failing receiver with growing delays until it answers 2xx', async () => {
    receiver.respond = (_e, attempt) => (attempt <= 3 ? 500 : null);
    const event = await createdEvent();
    await idle();
    const attempts = receiver.attempts.filter((t) => t.id === event.id);
    expect(attempts.map((t) => t.status)).toEqual([500, 500, 500, 200]);
    const gaps = attempts.slice(1).map((t, i) => t.at - attempts[i].at);
    // baseDelayMs 20, doubling: at least 20, 40, 80 ms apart
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    const log = (await control(sandbox.url, 'GET', '/_sandbox/webhooks/deliveries')).data as Array<{ event: string; attempt: number; status: number; ok: boolean }>;
    expect(log.filter((d) => d.event === event.id).map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 500, false],
      [4, 200, true],
    ]);
    const delivered = await stripe.events.list({ delivery_success: true, type: 'payment_intent.created', limit: 100 });
    expect(delivered.data.map((e) => e.id)).toContain(event.id);
  });

  it('gives up after maxAttempts and lists the event with delivery_success=false', async () => {
    const down = await startReceiver();
    down.respond = () => 503;
    const other = await startWiredSandbox(down, { webhookRetry: { maxAttempts: 3, baseDelayMs: 5 } });
    try {
      const client = sdk(other);
      const pi = await client.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await other.control.webhooksIdle();
      expect(down.attempts).toHaveLength(3);
      const failed = await client.events.list({ delivery_success: false });
      expect(failed.data.map((e) => (e.data.object as Stripe.PaymentIntent).id)).toEqual([pi.id]);
      expect(failed.data[0].pending_webhooks).toBe(1);
      expect((await client.events.list({ delivery_success: true })).data).toEqual([]);
    } finally {
      await other.close();
      await down.close();
    }
  });

  it('lists platform events with the platform key and a connected account’s events with Stripe-Account, paginating past 100', async () => {
    const account = await onboardedAccount(stripe);
    const other = await onboardedAccount(stripe);
    await advance(sandbox, 10);
    const gte = sandbox.control.now();
    const platformIds: string[] = [];
    for (let i = 0; i < 105; i++) platformIds.push((await stripe.paymentIntents.create({ amount: 1000 + i, currency: 'usd' })).id);
    for (let i = 0; i < 120; i++) await stripe.accounts.update(account, { metadata: { n: String(i) } });
    await stripe.accounts.update(other, { metadata: { n: 'other' } });
    const lte = sandbox.control.now();
    await advance(sandbox, 10);
    await stripe.accounts.update(account, { metadata: { n: 'after the window' } });
    await stripe.paymentIntents.create({ amount: 999, currency: 'usd' });

    const connected: Stripe.Event[] = await stripe.events.list({ created: { gte, lte }, limit: 100 }, { stripeAccount: account }).autoPagingToArray({ limit: 10_000 });
    expect(connected).toHaveLength(120);
    expect(new Set(connected.map((e) => e.id)).size).toBe(120);
    expect(connected.every((e) => e.type === 'account.updated' && e.account === account)).toBe(true);
    // Newest first, as Stripe lists them.
    expect(connected.map((e) => (e.data.object as Stripe.Account).metadata?.n)).toEqual(Array.from({ length: 120 }, (_, i) => String(119 - i)));

    const platform: Stripe.Event[] = await stripe.events.list({ created: { gte, lte } }).autoPagingToArray({ limit: 10_000 });
    expect(platform).toHaveLength(105);
    expect(platform.every((e) => e.account === undefined && e.type === 'payment_intent.created')).toBe(true);
    expect(platform.map((e) => (e.data.object as Stripe.PaymentIntent).id).reverse()).toEqual(platformIds);

    const otherEvents = await stripe.events.list({ created: { gte, lte } }, { stripeAccount: other });
    expect(otherEvents.data.map((e) => e.account)).toEqual([other]);
    const single = await stripe.events.retrieve(connected[0].id, {}, { stripeAccount: account });
    expect(single.account).toBe(account);
    await expect(stripe.events.retrieve(connected[0].id)).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });
});
