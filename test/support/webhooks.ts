import Stripe from 'stripe';
import type { TestApp } from './test-app.js';

const signer = new Stripe('sk_test_signer');

export interface FixtureEvent {
  id: string;
  type: string;
  account?: string;
  livemode?: boolean;
  created?: number;
  data?: Record<string, unknown>;
}

export function eventJson(e: FixtureEvent): string {
  return JSON.stringify({
    id: e.id,
    object: 'event',
    type: e.type,
    api_version: '2026-01-01',
    created: e.created ?? Math.floor(Date.now() / 1000),
    livemode: e.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    ...(e.account ? { account: e.account } : {}),
    data: { object: e.data ?? { id: `obj_${e.id}`, object: 'fixture' } },
  });
}

export function signature(payload: string, secret: string, timestamp?: number): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** POSTs a signed delivery exactly as Stripe would. */
export function deliver(t: TestApp, path: '/webhooks/stripe' | '/webhooks/stripe/connect', payload: string, header?: string) {
  const req = t.http.post(path).set('Content-Type', 'application/json');
  if (header !== undefined) req.set('Stripe-Signature', header);
  return req.send(payload);
}
