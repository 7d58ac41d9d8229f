import Stripe from 'stripe';
import { toEventEnvelope } from './stripe.mappers.js';
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
  if (!signatureHeader) throw new WebhookVerificationError('MISSING_SIGNATURE', 'The Stripe-Signature header is missing');
  if (secrets.length === 0) throw new WebhookVerificationError('NO_SECRET_CONFIGURED', 'No signing secret is configured for this endpoint');
  if (!rawBody || rawBody.length === 0) throw new WebhookVerificationError('MALFORMED_EVENT', 'The request has no body');
  const tolerance = options.toleranceSeconds ?? 300;
  // constructEvent refuses only old timestamps; one from the future is refused the same way
  const signedAt = signatureTimestamp(signatureHeader);
  if (tolerance > 0 && signedAt - Math.floor(Date.now() / 1000) > tolerance) throw badSignature();
  let event: Stripe.Event | undefined;
  for (const secret of secrets) {
    try {
      event = verifier.webhooks.constructEvent(rawBody, signatureHeader, secret, tolerance);
      break;
    } catch (e) {
      if (!(e instanceof Stripe.errors.StripeSignatureVerificationError)) {
        // signature matched but the body is not JSON
        throw new WebhookVerificationError('MALFORMED_EVENT', 'The body is not a JSON Stripe event');
      }
    }
  }
  if (!event) throw badSignature();
  if (typeof event !== 'object' || event === null || typeof event.id !== 'string' || typeof event.type !== 'string' || event.object !== 'event') {
    throw new WebhookVerificationError('MALFORMED_EVENT', 'The body is not a Stripe event');
  }
  if (event.livemode !== options.livemode) {
    throw new WebhookVerificationError('LIVEMODE_MISMATCH', `A ${event.livemode ? 'live' : 'test'}-mode event reached a ${options.livemode ? 'live' : 'test'}-mode service`);
  }
  return toEventEnvelope(event, rawBody.toString('utf8'));
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
