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
export const STRIPE_IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 3600 * 1000;
export const STRIPE_IDEMPOTENCY_SAFE_MS = STRIPE_IDEMPOTENCY_KEY_LIFETIME_MS - 3600 * 1000;
// API v2 keeps them 30 days (and a retry completes a failed request instead of replaying its error).
export const STRIPE_V2_IDEMPOTENCY_SAFE_MS = 29 * 24 * 3600 * 1000;

/**
 * Whether a v1 key first sent at `since` is past Stripe's 24 h memory of it: no request sent under it
 * can still be made (the other side of idempotencyKeyMayBeForgotten's safe margin).
 */
export function idempotencyKeyExpired(since: Date, now: number = Date.now()): boolean {
  return now - since.getTime() > STRIPE_IDEMPOTENCY_KEY_LIFETIME_MS;
}

/** Whether a key first sent at `since` may have been pruned by Stripe (v1: older than 23 h; `/v2` requests: 29 days). */
export function idempotencyKeyMayBeForgotten(since: Date, now: number = Date.now(), api: 'v1' | 'v2' = 'v1'): boolean {
  return now - since.getTime() > (api === 'v2' ? STRIPE_V2_IDEMPOTENCY_SAFE_MS : STRIPE_IDEMPOTENCY_SAFE_MS);
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
