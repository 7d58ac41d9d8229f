import path from 'node:path';
import { spawn } from 'node:child_process';
import Stripe from 'stripe';

const ROOT = path.resolve(import.meta.dirname ?? process.cwd(), '../..');
// the compiled drainer (node tools/build.js); from bench/support or dist/bench/support alike
const DRAINER = path.join(ROOT.endsWith('dist') ? ROOT : path.join(ROOT, 'dist'), 'bench/support/budget-drainer.js');

export interface DrainerResult {
  name: string;
  transfers: number;
  balance: number;
  errors: number;
  budget: { taken: number; refused: number; missed: number; failures: number };
  warnings: string[];
}

/** Runs `count` drainer processes at once against one database and sandbox; their JSON results. */
export async function runDrainers(count: number, env: Record<string, string>): Promise<DrainerResult[]> {
  // time for every process to boot, so they start sending together
  const startAt = String(Date.now() + 1_500);
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(process.execPath, [DRAINER], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', DRAIN_NAME: `drainer-${i + 1}`, DRAIN_START_AT: startAt, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      return new Promise<DrainerResult>((resolve, reject) =>
        child.on('exit', (code) => {
          const line = out.trim().split('\n').at(-1) ?? '';
          if (code !== 0) return reject(new Error(`drainer ${i + 1} exited ${code}: ${out}`));
          resolve(JSON.parse(line) as DrainerResult);
        }),
      );
    }),
  );
}

export interface SandboxRequestStats {
  total: number;
  max_per_second: number;
  max_in_any_second: number;
  series: Array<{ second: number; count: number }>;
}

export async function requestStats(sandboxUrl: string, key = 'total', windowSeconds = 120): Promise<SandboxRequestStats> {
  const res = await fetch(`${sandboxUrl}/_sandbox/requests/stats?window=${windowSeconds}&key=${encodeURIComponent(key)}`);
  if (!res.ok) throw new Error(`request stats answered ${res.status}`);
  return (await res.json()) as SandboxRequestStats;
}

/** Mean requests per second over the whole seconds of a run (the first and last, partial, left out). */
export function steadyRate(stats: SandboxRequestStats): number {
  const s = stats.series;
  if (s.length < 3) return 0;
  const first = s[0]!.second + 1;
  const last = s[s.length - 1]!.second - 1;
  let n = 0;
  for (const p of s) if (p.second >= first && p.second <= last) n += p.count;
  return n / (last - first + 1);
}

/**
 * A connected account that can receive transfers (hosted onboarding completed in the sandbox) and
 * a platform balance available at once (pm_card_bypassPending) to transfer from.
 */
export async function prepareTransfers(sandboxUrl: string, secretKey: string): Promise<string> {
  const base = new URL(sandboxUrl);
  const stripe = new Stripe(secretKey, { host: base.hostname, port: Number(base.port), protocol: 'http', maxNetworkRetries: 0 });
  const account = await stripe.accounts.create({
    country: 'US',
    controller: { fees: { payer: 'application' }, losses: { payments: 'application' }, stripe_dashboard: { type: 'express' }, requirement_collection: 'stripe' },
    capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
  });
  await completeOnboarding(stripe, sandboxUrl, account.id);
  await stripe.paymentIntents.create({ amount: 99_999_999, currency: 'usd', payment_method: 'pm_card_bypassPending', confirm: true });
  await fetch(`${sandboxUrl}/_sandbox/requests/stats`, { method: 'DELETE' });
  return account.id;
}

/** Completes a sandbox account's hosted onboarding (test bank account 000123456789), as a seller would. */
export async function completeOnboarding(stripe: Stripe, sandboxUrl: string, account: string): Promise<void> {
  const link = await stripe.accountLinks.create({ account, refresh_url: `${sandboxUrl}/refresh`, return_url: `${sandboxUrl}/return`, type: 'account_onboarding' });
  const res = await fetch(link.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ outcome: 'complete', account_number: '000123456789', routing_number: '110000000' }),
    redirect: 'manual',
  });
  if (res.status !== 303) throw new Error(`onboarding form answered ${res.status}`);
}
