import Stripe from 'stripe';
import { withoutSdkResend } from './stripe-client.js';

// stripe-node resends a request once when its connection closed, even with maxNetworkRetries: 0;
// that resend would take no slot of the request budget.
function closedConnection(): { client: Stripe.HttpClient; calls: () => number } {
  let calls = 0;
  const client = Stripe.createNodeHttpClient();
  client.makeRequest = async () => {
    calls++;
    throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  };
  return { client, calls: () => calls };
}

const sdk = (httpClient: Stripe.HttpClient) => new Stripe('sk_test_x', { maxNetworkRetries: 0, httpClient, host: '127.0.0.1', port: 9, protocol: 'http', telemetry: false });

describe('withoutSdkResend', () => {
  it('the SDK alone sends twice on a closed connection', async () => {
    const raw = closedConnection();
    await expect(sdk(raw.client).balance.retrieve()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(raw.calls()).toBe(2);
  });

  it('wrapped, once: the error is a connection error for the gateway to retry with its own slot', async () => {
    const raw = closedConnection();
    await expect(sdk(withoutSdkResend(raw.client)).balance.retrieve()).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(raw.calls()).toBe(1);
  });
});
