import Stripe from 'stripe';
import type { StripeConfig } from './stripe.config.js';

// The SDK resends a request once when its connection closed (ECONNRESET, EPIPE) even with
// maxNetworkRetries: 0 (stripe-node's RequestSender._shouldRetry). That resend takes no slot of the
// request budget, so a lost answer made two requests in one slot (the transfers fault storm saw 26 in
// a calendar second at 25/s). The connection error is passed on under another code: the gateway
// retries it itself (same idempotency key), each attempt with its own slot.
const SDK_RESENT_CODES = ['ECONNRESET', 'EPIPE'];

export function withoutSdkResend(inner: Stripe.HttpClient): Stripe.HttpClient {
  const client = Object.create(inner) as Stripe.HttpClient;
  client.makeRequest = (...args: Parameters<Stripe.HttpClient['makeRequest']>) =>
    inner.makeRequest(...args).catch((error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !SDK_RESENT_CODES.includes(code)) throw error;
      throw Object.assign(new Error((error as Error).message || code, { cause: error }), { code: `${code}_NOT_RESENT` });
    });
  return client;
}

/**
 * Real Stripe with the key alone, or the sandbox at STRIPE_API_BASE; retries are ours, not the SDK's.
 * `apiKey`: another key of the same account (the reconciliation key), else the main one.
 */
export function createStripeClient(config: StripeConfig, apiKey: string = config.secretKey): Stripe {
  const options: Stripe.StripeConfig = {
    maxNetworkRetries: 0,
    httpClient: withoutSdkResend(Stripe.createNodeHttpClient()),
    timeout: config.STRIPE_TIMEOUT_MS,
    telemetry: false,
    appInfo: { name: 'connect-marketplace' },
  };
  if (config.STRIPE_API_BASE) {
    const base = new URL(config.STRIPE_API_BASE);
    options.host = base.hostname;
    options.port = base.port || (base.protocol === 'https:' ? 443 : 80);
    options.protocol = base.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(apiKey, options);
}
