import Stripe from 'stripe';
import type { StripeConfig } from './stripe.config.js';

/** Real Stripe with the key alone, or the sandbox at STRIPE_API_BASE; retries are ours, not the SDK's. */
export function createStripeClient(config: StripeConfig): Stripe {
  const options: Stripe.StripeConfig = { maxNetworkRetries: 0, timeout: config.STRIPE_TIMEOUT_MS, telemetry: false, appInfo: { name: 'connect-marketplace' } };
  if (config.STRIPE_API_BASE) {
    const base = new URL(config.STRIPE_API_BASE);
    options.host = base.hostname;
    options.port = base.port || (base.protocol === 'https:' ? 443 : 80);
    options.protocol = base.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(config.secretKey, options);
}
