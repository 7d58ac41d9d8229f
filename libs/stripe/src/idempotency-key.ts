declare const brand: unique symbol;

/** An idempotency key derived from our own rows, never random: a retry is the same operation. */
export type IdempotencyKey = string & { readonly [brand]: 'IdempotencyKey' };

const PART = /^[A-Za-z0-9_.-]{1,100}$/;

/** e.g. idempotencyKey('transfer', transferId) -> "transfer:<uuid>". */
export function idempotencyKey(kind: string, ...parts: string[]): IdempotencyKey {
  for (const p of [kind, ...parts]) if (!PART.test(p)) throw new Error(`Unsafe idempotency key part: ${p}`);
  const key = [kind, ...parts].join(':');
  if (key.length > 255) throw new Error('Idempotency key longer than Stripe allows (255)');
  return key as IdempotencyKey;
}

// Stripe forgets idempotency keys after 24 h: past 23 h look the object up instead of retrying.
export const STRIPE_IDEMPOTENCY_SAFE_MS = 23 * 3600 * 1000;

/** Whether a key first sent at `since` may have been pruned by Stripe (older than 23 h). */
export function idempotencyKeyMayBeForgotten(since: Date, now: number = Date.now()): boolean {
  return now - since.getTime() > STRIPE_IDEMPOTENCY_SAFE_MS;
}
