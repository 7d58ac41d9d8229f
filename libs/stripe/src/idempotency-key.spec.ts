import { idempotencyKeyMayBeForgotten, STRIPE_IDEMPOTENCY_SAFE_MS } from './idempotency-key.js';

describe('idempotencyKeyMayBeForgotten', () => {
  const since = new Date('2026-01-01T00:00:00Z');
  it('trusts a key up to 23 h old and not after', () => {
    expect(STRIPE_IDEMPOTENCY_SAFE_MS).toBe(23 * 3600 * 1000);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + STRIPE_IDEMPOTENCY_SAFE_MS)).toBe(false);
    expect(idempotencyKeyMayBeForgotten(since, since.getTime() + STRIPE_IDEMPOTENCY_SAFE_MS + 1)).toBe(true);
  });
});
