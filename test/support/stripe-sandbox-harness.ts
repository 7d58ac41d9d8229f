import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../apps/stripe-sandbox/src/index.js';

// Shared by the test/stripe-sandbox*.e2e-spec.ts files: they drive the sandbox only through the
// real `stripe` SDK, plus plain HTTP for the hosted pages and the control API.
export const SECRET = 'whsec_e2e_platform_secret';
export const CONNECT_SECRET = 'whsec_e2e_connect_secret';

export interface Received {
  event: Stripe.Event;
  path: string;
  at: number;
}

export interface Receiver {
  url: string;
  events: Stripe.Event[];
  received: Received[];
  /** every request, verified or not, with the status it was answered */
  attempts: Array<{ id: string; status: number; at: number }>;
  failures: string[];
  /** answer this status instead of 200 (e.g. 500 while "down"); return null to accept */
  respond: (event: Stripe.Event, attempt: number) => number | null;
  close(): Promise<void>;
}

/** A webhook receiver that verifies every delivery with constructEvent (/connect uses the connect secret). */
export async function startReceiver(): Promise<Receiver> {
  const verifier = new Stripe('sk_test_verifier');
  const seen = new Map<string, number>();
  const receiver: Receiver = {
    url: '',
    events: [],
    received: [],
    attempts: [],
    failures: [],
    respond: () => null,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const secret = path === '/connect' ? CONNECT_SECRET : SECRET;
      let event: Stripe.Event;
      try {
        event = verifier.webhooks.constructEvent(body, String(req.headers['stripe-signature']), secret);
      } catch (err) {
        receiver.failures.push(err instanceof Error ? err.message : String(err));
        res.writeHead(400).end('bad signature');
        return;
      }
      const attempt = (seen.get(event.id) ?? 0) + 1;
      seen.set(event.id, attempt);
      const status = receiver.respond(event, attempt) ?? 200;
      receiver.attempts.push({ id: event.id, status, at: Date.now() });
      if (status >= 200 && status < 300) {
        receiver.events.push(event);
        receiver.received.push({ event, path, at: Date.now() });
      }
      res.writeHead(status).end(String(status));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return receiver;
}

/** A sandbox wired to a receiver's /platform and /connect endpoints, with quick webhook retries. */
export async function startWiredSandbox(receiver: Receiver, options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    webhookEndpoints: [
      { url: `${receiver.url}/platform`, secret: SECRET },
      { url: `${receiver.url}/connect`, secret: CONNECT_SECRET, connect: true },
    ],
    webhookRetry: { baseDelayMs: 20 },
    ...options,
  });
}

export interface WiredSandbox {
  receiver: Receiver;
  sandbox: RunningSandbox;
  stripe: Stripe;
}

/** Registers beforeAll/afterAll for a receiver, a sandbox wired to it and an SDK client; `use` gets them. */
export function useWiredSandbox(use: (w: WiredSandbox) => void, options: SandboxOptions = {}): void {
  let wired: WiredSandbox | undefined;
  beforeAll(async () => {
    const receiver = await startReceiver();
    const sandbox = await startWiredSandbox(receiver, options);
    wired = { receiver, sandbox, stripe: sdk(sandbox) };
    use(wired);
  });
  afterAll(async () => {
    await wired?.sandbox.close();
    await wired?.receiver.close();
  });
}

/** A sandbox without webhook endpoints. */
export function startSandboxPlain(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, ...options });
}

export function sdk(sandbox: RunningSandbox, key = 'sk_test_platform_one', config: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: sandbox.port, protocol: 'http', maxNetworkRetries: 0, ...config });
}

export async function controlCall(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A control API call that must succeed. */
export async function control(base: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const { status, json } = await controlCall(base, method, path, body);
  if (status >= 400) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
  return json;
}

export async function advance(sandbox: RunningSandbox, seconds: number): Promise<number> {
  return (await control(sandbox.url, 'POST', '/_sandbox/clock/advance', { seconds })).now as number;
}

export async function form(url: string, fields: Record<string, string>, method = 'POST'): Promise<Response> {
  if (method === 'GET') return fetch(url, { redirect: 'manual' });
  return fetch(url, { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
}

export interface CaughtStripeError {
  statusCode?: number;
  type: string;
  code?: string;
  param?: string;
  message: string;
  raw: unknown;
  headers?: Record<string, string>;
}

export async function stripeError(p: Promise<unknown>): Promise<CaughtStripeError> {
  try {
    await p;
  } catch (err) {
    return err as CaughtStripeError;
  }
  throw new Error('expected the call to fail');
}

/** An Express-like account onboarded through the hosted page with the given bank account number. */
export async function onboardedAccount(stripe: Stripe, opts: { accountNumber?: string; params?: Stripe.AccountCreateParams } = {}): Promise<string> {
  const account = await stripe.accounts.create(opts.params ?? { type: 'express', capabilities: { card_payments: { requested: true }, transfers: { requested: true } } });
  const link = await stripe.accountLinks.create({ account: account.id, type: 'account_onboarding', refresh_url: 'http://app.test/r', return_url: 'http://app.test/ok' });
  const res = await form(link.url, { outcome: 'complete', account_number: opts.accountNumber ?? '000123456789', routing_number: '110000000' });
  if (res.status !== 303) throw new Error(`onboarding answered ${res.status}`);
  return account.id;
}

/** A destination charge paid with a test payment method; returns the platform charge. */
export async function destinationCharge(stripe: Stripe, destination: string, opts: { amount?: number; fee?: number; paymentMethod?: string; transferGroup?: string } = {}): Promise<Stripe.Charge> {
  const pi = await stripe.paymentIntents.create({
    amount: opts.amount ?? 10_000,
    currency: 'usd',
    payment_method: opts.paymentMethod ?? 'pm_card_visa',
    confirm: true,
    application_fee_amount: opts.fee ?? 1000,
    transfer_data: { destination },
    ...(opts.transferGroup ? { transfer_group: opts.transferGroup } : {}),
  });
  return stripe.charges.retrieve(pi.latest_charge as string);
}

export function usd(balance: Stripe.Balance, which: 'available' | 'pending'): number {
  return balance[which].find((b) => b.currency === 'usd')?.amount ?? 0;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ThinReceiver {
  url: string;
  /** verified and parsed with the SDK's parseEventNotification, in arrival order */
  notifications: Stripe.V2.Core.EventNotification[];
  /** the raw bodies as delivered */
  bodies: string[];
  failures: string[];
  close(): Promise<void>;
}

/** An event-destination receiver: verifies each thin event with `client().parseEventNotification` and `secret()` (read per delivery). */
export async function startThinReceiver(client: () => Stripe, secret: () => string): Promise<ThinReceiver> {
  const receiver: ThinReceiver = { url: '', notifications: [], bodies: [], failures: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        receiver.notifications.push(client().parseEventNotification(body, String(req.headers['stripe-signature']), secret()));
        receiver.bodies.push(body);
        res.writeHead(200).end('ok');
      } catch (err) {
        receiver.failures.push(err instanceof Error ? err.message : String(err));
        res.writeHead(400).end('bad signature');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return receiver;
}
