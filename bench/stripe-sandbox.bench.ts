import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';

// The sandbox runs in a child process so the SDK clients do not share its event loop.
// Usage: npm run build && node dist/bench/stripe-sandbox.bench.js [requests=20000] [clients=64]

if (process.argv[2] === '--server') {
  const sandbox = await startSandbox({ port: 0 });
  process.send?.({ port: sandbox.port });
} else {
  const total = Number(process.argv[2] ?? 20_000);
  const clients = Number(process.argv[3] ?? 64);
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const stripe = new Stripe('sk_test_bench', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  const account = await stripe.accounts.create({ type: 'express', capabilities: { transfers: { requested: true } } });
  const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });

  // A realistic mix: mostly retrieves, some creates and lists.
  const calls: Array<() => Promise<unknown>> = [
    () => stripe.accounts.retrieve(account.id),
    () => stripe.paymentIntents.retrieve(pi.id),
    () => stripe.balance.retrieve({}, { stripeAccount: account.id }),
    () => stripe.paymentIntents.create({ amount: 1500, currency: 'usd' }),
    () => stripe.charges.list({ limit: 10 }),
  ];
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        try {
          await calls[i % calls.length]();
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
  console.log(
    JSON.stringify({
      requests: total,
      clients,
      errors,
      seconds: Number(seconds.toFixed(2)),
      requestsPerSecond: Math.round(total / seconds),
      p50ms: Number(p(0.5)),
      p99ms: Number(p(0.99)),
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      node: process.version,
    }),
  );
  child.kill('SIGTERM');
}
