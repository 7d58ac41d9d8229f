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

/**
 * The idempotency key of a money move's current attempt: `<kind>:<id>` first, `<kind>:<id>:<n>`
 * after n new attempts (refusals that made nothing: Stripe answers a refused key with the same
 * refusal for 24 h; a key Stripe may have forgotten). An unknown outcome keeps the generation: the
 * retry must be the same request.
 */
export function attemptKey(kind: string, id: string, generation: number): IdempotencyKey {
  return generation === 0 ? idempotencyKey(kind, id) : idempotencyKey(kind, id, String(generation));
}
