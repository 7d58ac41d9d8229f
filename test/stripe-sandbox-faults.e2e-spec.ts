import type Stripe from 'stripe';
import type { RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { advance, control, controlCall, onboardedAccount, sdk, startSandboxPlain, stripeError, waitUntil } from './support/stripe-sandbox-harness.js';

// Request fault injection, seen through the real SDK: what a client sees, and what was (not) saved.
describe('stripe sandbox request faults', () => {
  let sandbox: RunningSandbox;
  let stripe: Stripe;
  let destination: string;

  beforeAll(async () => {
    sandbox = await startSandboxPlain();
    stripe = sdk(sandbox);
    destination = await onboardedAccount(stripe);
    await stripe.paymentIntents.create({ amount: 500_000, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
  });
  afterAll(() => sandbox.close());
  afterEach(() => control(sandbox.url, 'DELETE', '/_sandbox/faults'));

  const fault = (body: Record<string, unknown>) => control(sandbox.url, 'POST', '/_sandbox/faults', body);
  const transfersIn = async (group: string) => (await stripe.transfers.list({ transfer_group: group, limit: 100 })).data;
  // the first request holds the key while it sleeps: the latency rule is used up when it reserved the key
  const latencyTaken = () => waitUntil(async () => ((await control(sandbox.url, 'GET', '/_sandbox/faults')).data as unknown[]).length === 0);

  it('error_500 fails before processing; the SDK’s own retry then succeeds once', async () => {
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'error_500' });
    const err = await stripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'e500' }));
    expect(err).toMatchObject({ type: 'StripeAPIError', statusCode: 500 });
    expect(await transfersIn('e500')).toEqual([]);

    await fault({ method: 'POST', path: '/v1/transfers', kind: 'error_500' });
    const retrying = sdk(sandbox, 'sk_test_platform_one', { maxNetworkRetries: 2 });
    const created = await retrying.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'e500-retry' });
    expect((await transfersIn('e500-retry')).map((t) => t.id)).toEqual([created.id]);
  });

  it('rate_limit answers 429 in Stripe’s shape', async () => {
    await fault({ method: 'GET', path: '/v1/balance', kind: 'rate_limit' });
    const err = await stripeError(stripe.balance.retrieve());
    expect(err).toMatchObject({ type: 'StripeRateLimitError', statusCode: 429, code: 'rate_limit' });

    await fault({ method: 'GET', path: '/v1/balance', kind: 'rate_limit' });
    const res = await fetch(`${sandbox.url}/v1/balance`, { headers: { authorization: 'Bearer sk_test_platform_one' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit', doc_url: 'https://stripe.com/docs/error-codes/rate-limit' });
    expect(String(body.error.message)).toContain('rate limit');
    expect((await stripe.balance.retrieve()).object).toBe('balance');
  });

  it('timeout never answers, so the client’s timeout fires and nothing is created', async () => {
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'timeout' });
    const impatient = sdk(sandbox, 'sk_test_platform_one', { timeout: 150 });
    const started = Date.now();
    const err = await stripeError(impatient.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'timeout' }));
    expect(err.type).toBe('StripeConnectionError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await transfersIn('timeout')).toEqual([]);
  });

  it('latency delays the answer, alone or combined with another fault', async () => {
    await fault({ method: 'GET', path: '/v1/balance', kind: 'latency', latency_ms: 150 });
    let started = Date.now();
    await stripe.balance.retrieve();
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    // the rule applied once: used up and gone
    expect((await control(sandbox.url, 'GET', '/_sandbox/faults')).data).toEqual([]);

    await fault({ method: 'GET', path: '/v1/balance', kind: 'latency', latency_ms: 100 });
    await fault({ method: 'GET', path: '/v1/balance', kind: 'error_500' });
    started = Date.now();
    await expect(stripe.balance.retrieve()).rejects.toMatchObject({ statusCode: 500 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('connection_reset drops the connection before processing', async () => {
    // The SDK retries a closed connection once on its own: two resets reach the caller.
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'connection_reset', count: 2 });
    const err = await stripeError(stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'reset' }));
    expect(err.type).toBe('StripeConnectionError');
    expect(await transfersIn('reset')).toEqual([]);
    // One reset: the SDK's silent retry goes through and exactly one transfer exists.
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'connection_reset' });
    const created = await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'reset-once' });
    expect((await transfersIn('reset-once')).map((t) => t.id)).toEqual([created.id]);
  });

  it('fraction faults hit about that share of matching requests, with patterns and hit counts', async () => {
    const rule = await fault({ method: 'GET', path: '/v1/*', kind: 'rate_limit', fraction: 0.5 });
    let limited = 0;
    for (let i = 0; i < 200; i++) {
      try {
        await stripe.balance.retrieve();
      } catch (err) {
        expect((err as { statusCode: number }).statusCode).toBe(429);
        limited++;
      }
    }
    expect(limited).toBeGreaterThan(60);
    expect(limited).toBeLessThan(140);
    // Other methods and deeper paths are untouched.
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'fraction' });
    const listed = (await control(sandbox.url, 'GET', '/_sandbox/faults')).data as Array<{ id: string; hits: number; remaining: number | null }>;
    expect(listed).toEqual([expect.objectContaining({ id: rule.id, hits: limited, remaining: null })]);
    expect((await control(sandbox.url, 'DELETE', `/_sandbox/faults/${String(rule.id)}`)).deleted).toBe(true);
    expect((await control(sandbox.url, 'GET', '/_sandbox/faults')).data).toEqual([]);

    const t = (await transfersIn('fraction'))[0];
    await fault({ path: '/v1/transfers/**', kind: 'error_500', count: 1 });
    await expect(stripe.transfers.retrieve(t.id)).rejects.toMatchObject({ statusCode: 500 });
    expect((await stripe.transfers.retrieve(t.id)).id).toBe(t.id);
  });

  it('a fault aimed at metadata fires only on the requests that carry it, whichever comes first', async () => {
    await fault({ method: 'POST', path: '/**', kind: 'error_500', count: 2, params: { 'metadata[order_id]': 'ord_aimed' } });
    // other orders' requests, and the same path without the parameter, pass untouched
    const other = await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'aimed', metadata: { order_id: 'ord_other' } });
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'aimed' });
    await stripe.transfers.createReversal(other.id, { amount: 10, metadata: { order_id: 'ord_other' } });
    expect(await transfersIn('aimed')).toHaveLength(2);
    // ours fail, on any POST path that carries it, until the count is used
    await expect(stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'aimed', metadata: { order_id: 'ord_aimed' } })).rejects.toMatchObject({ statusCode: 500 });
    await expect(stripe.transfers.createReversal(other.id, { amount: 10, metadata: { order_id: 'ord_aimed' } })).rejects.toMatchObject({ statusCode: 500 });
    await stripe.transfers.create({ amount: 100, currency: 'usd', destination, transfer_group: 'aimed', metadata: { order_id: 'ord_aimed' } });
    expect(await transfersIn('aimed')).toHaveLength(3);
    const fired = (await control(sandbox.url, 'GET', '/_sandbox/faults/fired')).data as Array<{ aimed: boolean; path: string }>;
    expect(fired.filter((f) => f.aimed).map((f) => f.path)).toEqual(['/v1/transfers', `/v1/transfers/${other.id}/reversals`]);
  });

  it('a fault aimed at an account fires only on requests made on it (Stripe-Account)', async () => {
    await fault({ method: 'GET', path: '/v1/balance', kind: 'rate_limit', account: destination });
    expect((await stripe.balance.retrieve()).object).toBe('balance');
    await expect(stripe.balance.retrieve({}, { stripeAccount: destination })).rejects.toMatchObject({ statusCode: 429 });
    expect((await stripe.balance.retrieve({}, { stripeAccount: destination })).object).toBe('balance');
  });

  it('a seeded sandbox fires a fraction fault on the same requests each time it is seeded alike', async () => {
    const pattern = async (seed: number) => {
      expect((await control(sandbox.url, 'POST', '/_sandbox/random/seed', { seed })).seed).toBe(seed);
      await fault({ method: 'GET', path: '/v1/balance', kind: 'rate_limit', fraction: 0.5 });
      let hits = '';
      for (let i = 0; i < 30; i++)
        hits += await stripe.balance.retrieve().then(
          () => '0',
          () => '1',
        );
      await control(sandbox.url, 'DELETE', '/_sandbox/faults');
      return hits;
    };
    const first = await pattern(11);
    expect(first).toMatch(/0.*1|1.*0/);
    expect(await pattern(11)).toBe(first);
    expect(await pattern(12)).not.toBe(first);
    await control(sandbox.url, 'POST', '/_sandbox/random/seed', { seed: null });
  });

  it('refuses malformed fault rules', async () => {
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/faults', { path: '/v1/x', kind: 'meteor' })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/faults', { path: '/v1/x', kind: 'error_500', fraction: 2 })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/faults', { kind: 'error_500' })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/faults', { path: '/v1/x', kind: 'error_500', params: { 'metadata[order_id]': 7 } })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/faults', { path: '/v1/x', kind: 'error_500', params: ['x'] })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/random/seed', { seed: -1 })).status).toBe(400);
    expect((await controlCall(sandbox.url, 'POST', '/_sandbox/random/seed', { seed: 1.5 })).status).toBe(400);
    expect((await control(sandbox.url, 'GET', '/_sandbox/faults')).data).toEqual([]);
  });

  it('answers 409 idempotency_key_in_use to a concurrent request with the same key, and saves nothing twice', async () => {
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'latency', latency_ms: 1000 });
    const params = { amount: 700, currency: 'usd', destination, transfer_group: 'in-flight' };
    const first = stripe.transfers.create(params, { idempotencyKey: 'in-flight-1' });
    await latencyTaken();
    const concurrent = await stripeError(stripe.transfers.create(params, { idempotencyKey: 'in-flight-1' }));
    expect(concurrent).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
    expect((concurrent.raw as { type: string }).type).toBe('invalid_request_error');
    const created = await first;
    const replayed = await stripe.transfers.create(params, { idempotencyKey: 'in-flight-1' });
    expect(replayed.id).toBe(created.id);
    expect((await transfersIn('in-flight')).map((t) => t.id)).toEqual([created.id]);

    // A client that retries (as the SDK does on 409) gets the first result once it is saved.
    await fault({ method: 'POST', path: '/v1/transfers', kind: 'latency', latency_ms: 150 });
    const retrying = sdk(sandbox, 'sk_test_platform_one', { maxNetworkRetries: 3 });
    const params2 = { ...params, transfer_group: 'in-flight-2' };
    const a = stripe.transfers.create(params2, { idempotencyKey: 'in-flight-2' });
    await latencyTaken();
    const b = await retrying.transfers.create(params2, { idempotencyKey: 'in-flight-2' });
    expect(b.id).toBe((await a).id);
    expect(await transfersIn('in-flight-2')).toHaveLength(1);
  });

  it('forgets idempotency keys after 24 hours of sandbox time', async () => {
    const params = { amount: 300, currency: 'usd', destination, transfer_group: 'expiry' };
    const first = await stripe.transfers.create(params, { idempotencyKey: 'expiring-key' });
    await advance(sandbox, 24 * 3600 - 1);
    expect((await stripe.transfers.create(params, { idempotencyKey: 'expiring-key' })).id).toBe(first.id);
    await expect(stripe.transfers.create({ ...params, amount: 301 }, { idempotencyKey: 'expiring-key' })).rejects.toMatchObject({ type: 'StripeIdempotencyError' });
    await advance(sandbox, 1);
    const fresh = await stripe.transfers.create({ ...params, amount: 301 }, { idempotencyKey: 'expiring-key' });
    expect(fresh.id).not.toBe(first.id);
    expect(await transfersIn('expiry')).toHaveLength(2);
  });
});
