import { createHmac } from 'node:crypto';

// Stripe's scheme (the same as stripe.webhooks.generateTestHeaderString): v1 = HMAC-SHA256 of
// `${timestamp}.${payload}` keyed by the endpoint's whsec_ secret.
export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}
