import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from './idempotency.js';

describe('IdempotencyStore', () => {
  const saved = { status: 200, body: '{"id":"tr_1"}', requestId: 'req_1' };

  it('replays the saved response for the same key and parameters', () => {
    const store = new IdempotencyStore();
    expect(store.reserve('k', 'key1', 'POST a=1', 100)).toEqual({ kind: 'new' });
    expect(store.reserve('k', 'key1', 'POST a=1', 100)).toEqual({ kind: 'in_flight' });
    store.complete('k', 'key1', saved);
    expect(store.reserve('k', 'key1', 'POST a=1', 200)).toEqual({ kind: 'replay', response: saved });
    expect(store.reserve('k', 'key1', 'POST a=2', 200)).toEqual({ kind: 'mismatch' });
  });

  it('scopes keys per platform/account and expires them after 24 hours of sandbox time', () => {
    const store = new IdempotencyStore();
    store.reserve('k', 'key1', 'f', 100);
    store.complete('k', 'key1', saved);
    expect(store.reserve('other', 'key1', 'f', 100)).toEqual({ kind: 'new' });
    expect(store.reserve('k', 'key1', 'f', 100 + IDEMPOTENCY_TTL_SECONDS - 1).kind).toBe('replay');
    expect(store.reserve('k', 'key1', 'different', 100 + IDEMPOTENCY_TTL_SECONDS)).toEqual({ kind: 'new' });
  });

  it('forgets a released reservation, so nothing is saved', () => {
    const store = new IdempotencyStore();
    store.reserve('k', 'key1', 'f', 1);
    store.release('k', 'key1');
    expect(store.reserve('k', 'key1', 'g', 1)).toEqual({ kind: 'new' });
  });
});
