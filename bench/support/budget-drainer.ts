// One process sending Stripe requests through the gateway and the request budget shared in
// PostgreSQL, as fast as the budget lets it, for DRAIN_SECONDS. Started (twice or more) by
// bench/stripe-budget.bench.ts and test/stripe-request-budget.e2e-spec.ts; prints one JSON line.
//
// DATABASE_URL, STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_REQUESTS_PER_SECOND, STRIPE_TRANSFERS_PER_SECOND
// as the service reads them; DRAIN_NAME, DRAIN_SECONDS, DRAIN_CONCURRENCY, DRAIN_KIND (balance |
// transfers | mixed: half the workers send transfers, half balance reads), DRAIN_START_AT (epoch ms:
// every process starts at once), DRAIN_DESTINATION (acct_ for transfers).
import { PgSlotStore } from '@app/database';
import { StripeConfig, createRequestBudget, createStripeGateway, idempotencyKey, type StripeGateway } from '@app/stripe';
import { validateEnv } from '../../apps/marketplace/src/config/validate-env.js';

const env = process.env;
const name = env.DRAIN_NAME ?? `drainer-${process.pid}`;
const seconds = Number(env.DRAIN_SECONDS ?? 5);
const concurrency = Number(env.DRAIN_CONCURRENCY ?? 8);
const kind = env.DRAIN_KIND ?? 'balance';
const destination = env.DRAIN_DESTINATION ?? '';
if (!env.DATABASE_URL) throw new Error('DATABASE_URL is required');

const config = validateEnv(StripeConfig, env);
const store = new PgSlotStore(env.DATABASE_URL, { applicationName: `budget-drainer:${name}` });
const warnings: string[] = [];
const logger = { info: () => undefined, warn: (_o: object, msg: string) => void warnings.push(msg) };
const budget = createRequestBudget(config, store, logger);
const gateway = createStripeGateway(config, store, logger, budget);

const sent: Record<string, number> = { transfers: 0, balance: 0 };
let errors = 0;
let seq = 0;

async function one(gw: StripeGateway, worker: number, i: number): Promise<void> {
  if (kind === 'transfers' || (kind === 'mixed' && worker % 2 === 0)) {
    await gw.createTransfer({ amount: 1n, currency: 'usd', destination, metadata: { drainer: name } }, idempotencyKey('drain', name, String(i)));
    sent.transfers!++;
  } else {
    await gw.retrieveBalance();
    sent.balance!++;
  }
}

const startAt = Number(env.DRAIN_START_AT ?? Date.now());
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const deadline = startAt + seconds * 1000;
await Promise.all(
  Array.from({ length: concurrency }, async (_, worker) => {
    while (Date.now() < deadline) {
      try {
        await one(gateway, worker, seq++);
      } catch (e) {
        errors++;
        if (errors <= 3) warnings.push(String(e));
      }
    }
  }),
);
await store.close();
console.log(JSON.stringify({ name, ...sent, errors, budget: budget.counts, warnings: warnings.slice(0, 5) }));
