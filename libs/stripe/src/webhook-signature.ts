import Stripe from 'stripe';
import { toEventEnvelope, toThinEventEnvelope } from './stripe.mappers.js';
import type { StripeEventEnvelope } from './stripe.types.js';

export type WebhookRejection = 'MISSING_SIGNATURE' | 'NO_SECRET_CONFIGURED' | 'BAD_SIGNATURE' | 'MALFORMED_EVENT' | 'LIVEMODE_MISMATCH';

export class WebhookVerificationError extends Error {
  constructor(
    readonly reason: WebhookRejection,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

// constructEvent needs a client instance only for its crypto provider; no request is ever made.
const verifier = new Stripe('sk_test_signature_verification_only');

/**
 * Verifies `Stripe-Signature` on the exact bytes received against each configured secret (several
 * during rotation), within `toleranceSeconds` of now both ways, then checks livemode against our key.
 */
export function verifyStripeWebhook(
  rawBody: Buffer | undefined,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  options: { livemode: boolean; toleranceSeconds?: number },
): StripeEventEnvelope {
  const { value: event, body } = verifyWithAnySecret(rawBody, signatureHeader, secrets, options.toleranceSeconds ?? 300, (body, header, secret, tolerance) =>
    verifier.webhooks.constructEvent(body, header, secret, tolerance),
  );
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || typeof event.type !== 'string' || event.object !== 'event') {
    throw new WebhookVerificationError('MALFORMED_EVENT', 'The body is not a Stripe event');
  }
  if (event.livemode !== options.livemode) {
    throw new WebhookVerificationError('LIVEMODE_MISMATCH', `A ${event.livemode ? 'live' : 'test'}-mode event reached a ${options.livemode ? 'live' : 'test'}-mode service`);
  }
  return toEventEnvelope(event, body.toString('utf8'));
}

/**
 * Verifies a thin event (an event destination's delivery, `object: 'v2.core.event'`) the same way
 * as a snapshot event (several secrets, tolerance both ways, livemode), parsed by the SDK's
 * `parseEventNotification`. The envelope's `account` is the event's context (the connected account
 * it happened in) or, for an event about an account itself, that account; `objectId` is the
 * related object's id. A thin event says only "this changed": fetch it and the object before acting.
 */
export function verifyThinEvent(
  rawBody: Buffer | undefined,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  options: { livemode: boolean; toleranceSeconds?: number },
): StripeEventEnvelope {
  const { value: notification, body: raw } = verifyWithAnySecret(rawBody, signatureHeader, secrets, options.toleranceSeconds ?? 300, (body, header, secret, tolerance) =>
    verifier.parseEventNotification(body, header, secret, tolerance),
  );
  const n = notification as Stripe.V2.Core.EventNotification & { related_object?: { id?: unknown; type?: unknown } };
  if (typeof n.id !== 'string' || typeof n.type !== 'string' || typeof n.created !== 'string' || Number.isNaN(Date.parse(n.created))) {
    throw new WebhookVerificationError('MALFORMED_EVENT', 'The body is not a Stripe thin event');
  }
  if (n.livemode !== options.livemode) {
    throw new WebhookVerificationError('LIVEMODE_MISMATCH', `A ${n.livemode ? 'live' : 'test'}-mode event reached a ${options.livemode ? 'live' : 'test'}-mode service`);
  }
  return toThinEventEnvelope({ id: n.id, type: n.type, created: n.created, livemode: n.livemode, context: n.context, related_object: n.related_object }, raw.toString('utf8'));
}

/** The first secret that verifies the signature; the SDK's refusals become ours. */
function verifyWithAnySecret<T>(
  rawBody: Buffer | undefined,
  signatureHeader: string | undefined,
  secrets: readonly string[],
  tolerance: number,
  verify: (body: Buffer, header: string, secret: string, tolerance: number) => T,
): { value: T; body: Buffer } {
  if (!signatureHeader) throw new WebhookVerificationError('MISSING_SIGNATURE', 'The Stripe-Signature header is missing');
  if (secrets.length === 0) throw new WebhookVerificationError('NO_SECRET_CONFIGURED', 'No signing secret is configured for this endpoint');
  if (!rawBody || rawBody.length === 0) throw new WebhookVerificationError('MALFORMED_EVENT', 'The request has no body');
  // the SDK refuses only old timestamps; one from the future is refused the same way
  const signedAt = signatureTimestamp(signatureHeader);
  if (tolerance > 0 && signedAt - Math.floor(Date.now() / 1000) > tolerance) throw badSignature();
  for (const secret of secrets) {
    try {
      return { value: verify(rawBody, signatureHeader, secret, tolerance), body: rawBody };
    } catch (e) {
      if (e instanceof Stripe.errors.StripeSignatureVerificationError) continue;
      // signature matched but the body is not JSON, or not an event of this kind
      throw new WebhookVerificationError('MALFORMED_EVENT', `The body is not a JSON Stripe event of this endpoint's kind: ${(e as Error).message}`);
    }
  }
  throw badSignature();
}

function badSignature(): WebhookVerificationError {
  return new WebhookVerificationError('BAD_SIGNATURE', 'No configured secret produced this signature, or its timestamp is outside the tolerance');
}

/** The header's `t=`, read as Stripe's own parser reads it (the last one wins); NaN if none. */
function signatureTimestamp(header: string): number {
  let timestamp = Number.NaN;
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') timestamp = Number.parseInt(value ?? '', 10);
  }
  return timestamp;
}
