// The webhook ingest bench's anchors: a bare `node:http` handler that checks the Stripe signature on
// the raw body (the stripe package's own check) and, with DATABASE_URL set, stores each delivery with
// one INSERT on its own connection from a pool (as many connections as the service's pool), then
// answers 200. No framework, no batching, no logging. Without DATABASE_URL it answers once the
// signature is checked: the ceiling of HTTP and the signature check on this machine.
//
//   PORT=... STRIPE_WEBHOOK_SECRET=whsec_... [DATABASE_URL=...] [POOL_SIZE=10] node dist/bench/support/bare-ingest.js
import http from 'node:http';
import pg from 'pg';
import Stripe from 'stripe';

const port = Number(process.env.PORT);
const secret = process.env.STRIPE_WEBHOOK_SECRET ?? '';
const stripe = new Stripe('sk_test_bench_bare');
const pool = process.env.DATABASE_URL ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) }) : null;

async function setUp(): Promise<void> {
  await pool?.query('CREATE TABLE IF NOT EXISTS bench_bare (id text PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET') return void res.writeHead(200).end('ready');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(body, String(req.headers['stripe-signature'] ?? ''), secret, 300);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"code":"WEBHOOK.BAD_SIGNATURE"}}');
      return;
    }
    const ok = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    if (!pool) return ok();
    pool.query('INSERT INTO bench_bare (id, payload) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [event.id, body.toString('utf8')]).then(ok, () => {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"SERVICE.BUSY"}}');
    });
  });
});

setUp().then(
  () => server.listen(port, '127.0.0.1', () => console.log(`ready on ${port}`)),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool?.end();
});
