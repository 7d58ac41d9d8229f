import type { StripeEventEnvelope } from '@app/stripe';
import { isUuid } from '../common/ids.js';

/** `data.object` of a stored event, as loosely typed JSON (handlers re-read what they rely on from Stripe). */
export function eventObject(event: StripeEventEnvelope): Record<string, unknown> & { metadata?: Record<string, string> } {
  const data = event.payload.data as { object?: Record<string, unknown> } | undefined;
  return (data?.object ?? {}) as Record<string, unknown> & { metadata?: Record<string, string> };
}

/** Our order id from the object's metadata (set at checkout), if it is one. */
export function orderIdOf(object: { metadata?: Record<string, string> }): string | null {
  const id = object.metadata?.order_id;
  return id && isUuid(id) ? id : null;
}
