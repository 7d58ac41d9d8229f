import { idempotencyKeyExpired, idempotencyKeyMayBeForgotten, STRIPE_IDEMPOTENCY_SAFE_MS } from './idempotency-key.js';

describe('idempotencyKeyMayBeForgotten', () => {
  const since = new Date('2026-01-01T00:00:00Z');
  it('trusts a key up to 23 h old and not after', () => {
    expect(STRIPE_IDEMPOTENCY_SAFE_MS).toBe(23 * 3600 * 1000);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + STRIPE_IDEMPOTENCY_SAFE_MS)).toBe(false);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + STRIPE_IDEMPOTENCY_SAFE_MS + 1)).toBe(true);
  });
});

describe('idempotencyKeyMayBeForgotten under API v2', () => {
  const since = new Date('2026-01-01T00:00:00Z');
  const day = 24 * 3600 * 1000;
  it('trusts a /v2 key for 29 days (Stripe keeps v2 keys 30), a v1 key of the same age not', () => {
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + 2 * day, 'v2')).toBe(false);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + 2 * day)).toBe(true);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + 29 * day, 'v2')).toBe(false);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + 29 * day + 1, 'v2')).toBe(true);
  });
});

describe('idempotencyKeyExpired', () => {
  it("is past Stripe's 24 h memory of the key, not the 23 h safe margin", () => {
    const since = new Date('2026-01-01T00:00:00Z');
    expect(idempotencyKeyExpired(since, since.getTime() + 23.5 * 3600 * 1000)).toBe(false);
    expect(idempotencyKeyExpired(since, since.getTime() + 24 * 3600 * 1000 + 1)).toBe(true);
  });
});
