import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StripeEventEnvelope } from '@app/stripe';

export const STRIPE_EVENT_TYPES = 'webhooks:event-types';

/**
 * A module's reaction to Stripe event types. Rules (see webhooks/README.md):
 *  - safe to run twice: key writes on Stripe ids, upsert, guarded transitions;
 *  - never assume order: apply only monotonic changes, or re-fetch the object in `load`;
 *  - `load` runs outside any transaction and may call Stripe; `apply` only writes, inside the
 *    transaction that also marks the event processed.
 */
export interface StripeEventHandler<Loaded = unknown> {
  load?(event: StripeEventEnvelope): Promise<Loaded>;
  apply(event: StripeEventEnvelope, tx: EntityManager, loaded: Loaded): Promise<void>;
}

/** Registers a provider as the handler of these event types (discovered at boot; no if/else chains). */
export const HandlesStripeEvents = (...types: string[]) => SetMetadata(STRIPE_EVENT_TYPES, types);
