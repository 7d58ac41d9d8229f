import Stripe from 'stripe';
import { verifyStripeWebhook, verifyThinEvent, WebhookVerificationError } from './webhook-signature.js';

const stripe = new Stripe('sk_test_x');
const SECRET = 'whsec_one';
const OTHER = 'whsec_two';

function eventBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type: 'account.updated',
    account: 'acct_1',
    api_version: '2026-01-01',
    created: 1_700_000_000,
    livemode: false,
    data: { object: { id: 'acct_1', object: 'account' } },
    ...overrides,
  });
}

const sign = (payload: string, secret: string, timestamp?: number) => stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookVerificationError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('verifyStripeWebhook', () => {
  it('accepts a correctly signed event and maps it to our envelope', () => {
    const body = eventBody();
    const event = verifyStripeWebhook(Buffer.from(body), sign(body, SECRET), [SECRET], { livemode: false });
    expect(event).toEqual(expect.objectContaining({ id: 'evt_1', type: 'account.updated', account: 'acct_1', objectId: 'acct_1', livemode: false, apiVersion: '2026-01-01' }));
    expect(event.created.toISOString()).toBe('2023-11-14T22:13:20.000Z');
  });

  it('accepts an event signed with any of the configured secrets (rotation)', () => {
    const body = eventBody();
    expect(verifyStripeWebhook(Buffer.from(body), sign(body, OTHER), [SECRET, OTHER], { livemode: false }).id).toBe('evt_1');
  });

  it('refuses a body changed by one byte', () => {
    const body = eventBody();
    const header = sign(body, SECRET);
    const tampered = body.replace('acct_1', 'acct_2');
    expect(tampered.length).toBe(body.length);
    expect(reason(() => verifyStripeWebhook(Buffer.from(tampered), header, [SECRET], { livemode: false }))).toBe('BAD_SIGNATURE');
  });

  it('refuses a timestamp more than 300 s in the future, accepts one within', () => {
    const body = eventBody();
    const now = Math.floor(Date.now() / 1000);
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), sign(body, SECRET, now + 301), [SECRET], { livemode: false }))).toBe('BAD_SIGNATURE');
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), `t=${now},${sign(body, SECRET, now + 3600)}`, [SECRET], { livemode: false }))).toBe('BAD_SIGNATURE');
    expect(verifyStripeWebhook(Buffer.from(body), sign(body, SECRET, now + 240), [SECRET], { livemode: false }).id).toBe('evt_1');
  });

  it('refuses a timestamp older than the 300 s tolerance', () => {
    const body = eventBody();
    const header = sign(body, SECRET, Math.floor(Date.now() / 1000) - 301);
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), header, [SECRET], { livemode: false }))).toBe('BAD_SIGNATURE');
  });

  it('refuses another endpoint secret, a missing header and an empty secret list', () => {
    const body = eventBody();
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), sign(body, 'whsec_other_endpoint'), [SECRET], { livemode: false }))).toBe('BAD_SIGNATURE');
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), undefined, [SECRET], { livemode: false }))).toBe('MISSING_SIGNATURE');
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), sign(body, SECRET), [], { livemode: false }))).toBe('NO_SECRET_CONFIGURED');
  });

  it('refuses signed garbage and a livemode that does not match our key', () => {
    const garbage = '{"not json';
    expect(reason(() => verifyStripeWebhook(Buffer.from(garbage), sign(garbage, SECRET), [SECRET], { livemode: false }))).toBe('MALFORMED_EVENT');
    const notEvent = JSON.stringify({ id: 'x', object: 'charge' });
    expect(reason(() => verifyStripeWebhook(Buffer.from(notEvent), sign(notEvent, SECRET), [SECRET], { livemode: false }))).toBe('MALFORMED_EVENT');
    const live = eventBody({ livemode: true });
    expect(reason(() => verifyStripeWebhook(Buffer.from(live), sign(live, SECRET), [SECRET], { livemode: false }))).toBe('LIVEMODE_MISMATCH');
  });
});

function thinBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'evt_thin_1',
    object: 'v2.core.event',
    type: 'v2.core.account[requirements].updated',
    created: '2026-12-01T10:00:00.000Z',
    livemode: false,
    related_object: { id: 'acct_v2_1', type: 'v2.core.account', url: '/v2/core/accounts/acct_v2_1' },
    ...overrides,
  });
}

describe('verifyThinEvent', () => {
  it('accepts a signed thin event: the account it is about, its related object, Stripe’s created time', () => {
    const body = thinBody();
    const event = verifyThinEvent(Buffer.from(body), sign(body, OTHER), [SECRET, OTHER], { livemode: false });
    expect(event).toEqual(expect.objectContaining({ id: 'evt_thin_1', type: 'v2.core.account[requirements].updated', account: 'acct_v2_1', objectId: 'acct_v2_1', livemode: false, rawJson: body }));
    expect(event.created.toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });

  it("an event in a connected account's context belongs to that account", () => {
    const body = thinBody({ context: 'acct_ctx', related_object: { id: 'po_1', type: 'payout', url: '/v1/payouts/po_1' } });
    expect(verifyThinEvent(Buffer.from(body), sign(body, SECRET), [SECRET], { livemode: false })).toMatchObject({ account: 'acct_ctx', objectId: 'po_1' });
  });

  it('refuses a forged, stale, future or unsigned delivery, a v1 snapshot event and a livemode mismatch', () => {
    const body = thinBody();
    const now = Math.floor(Date.now() / 1000);
    const verify = (b: string, header: string | undefined, secrets = [SECRET]) => reason(() => verifyThinEvent(Buffer.from(b), header, secrets, { livemode: false }));
    expect(verify(body, sign(body, 'whsec_forged'))).toBe('BAD_SIGNATURE');
    expect(verify(body.replace('acct_v2_1', 'acct_v2_2'), sign(body, SECRET))).toBe('BAD_SIGNATURE');
    expect(verify(body, sign(body, SECRET, now - 301))).toBe('BAD_SIGNATURE');
    expect(verify(body, sign(body, SECRET, now + 301))).toBe('BAD_SIGNATURE');
    expect(verify(body, undefined)).toBe('MISSING_SIGNATURE');
    expect(verify(body, sign(body, SECRET), [])).toBe('NO_SECRET_CONFIGURED');
    const snapshot = eventBody();
    expect(verify(snapshot, sign(snapshot, SECRET))).toBe('MALFORMED_EVENT');
    const live = thinBody({ livemode: true });
    expect(verify(live, sign(live, SECRET))).toBe('LIVEMODE_MISMATCH');
  });

  it('the classic endpoint refuses a thin event', () => {
    const body = thinBody();
    expect(reason(() => verifyStripeWebhook(Buffer.from(body), sign(body, SECRET), [SECRET], { livemode: false }))).toBe('MALFORMED_EVENT');
  });
});
