import fs from 'node:fs';
import type { Socket } from 'node:net';
import { SandboxClock } from './core/clock.js';
import { DEFAULT_PROCESSING_FEE, type ProcessingFee } from './core/money.js';
import { SandboxRandom, isRandomSeed } from './core/random.js';
import { SandboxControl, controlHandler } from './control/control.js';
import { DEFAULT_EXCHANGE_RATES, Sandbox, DAY, type EventDestinationConfig, type WebhookEndpointConfig } from './engine/sandbox.js';
import { FaultInjector } from './http/faults.js';
import { RequestMeter } from './http/request-meter.js';
import { Router } from './http/router.js';
import { createHttpServer } from './http/server.js';
import { registerAccounts } from './resources/accounts.js';
import { registerAccountsV2 } from './resources/accounts-v2.js';
import { registerBalanceSettings } from './resources/balance-settings.js';
import { registerEventsV2 } from './resources/events-v2.js';
import { registerCheckout } from './resources/checkout.js';
import { registerDisputes } from './resources/disputes.js';
import { registerEvents } from './resources/events.js';
import { registerPayments } from './resources/payments.js';
import { registerPayouts, schedulePayouts } from './resources/payouts.js';
import { registerTransfers } from './resources/transfers.js';
import { assertStateFileWritable, loadState, saveState } from './engine/persistence.js';

export type { EventDestinationConfig, WebhookEndpointConfig } from './engine/sandbox.js';
export { V2_ACCOUNT_EVENT_TYPES } from './engine/sandbox.js';
export { SandboxControl } from './control/control.js';
export type { FaultKind, FaultRule, FiredFault } from './http/faults.js';
export type { RequestStats } from './http/request-meter.js';

export interface SandboxOptions {
  /** 0 = ephemeral */
  port?: number;
  host?: string;
  /** public base URL for hosted pages (default http://host:port) */
  publicUrl?: string;
  webhookEndpoints?: WebhookEndpointConfig[];
  /** event destinations receiving thin (v2) events, as if created in the Dashboard */
  eventDestinations?: EventDestinationConfig[];
  stateFile?: string;
  /** true: write no state file until releaseStateWrites() (a start that fails leaves the file as it was) */
  holdStateWrites?: boolean;
  processingFee?: ProcessingFee;
  disputeFee?: number;
  /** unix seconds the sandbox clock starts at (default: now) */
  clockStart?: number;
  /** seconds until card funds become available (default 2 days) */
  availableAfter?: number;
  /** the currency every platform settles in unless set per platform through the control API (default 'usd') */
  settlementCurrency?: string;
  /** initial exchange-rate table, `{ from: { to: "decimal rate" } }` (default DEFAULT_EXCHANGE_RATES) */
  exchangeRates?: Record<string, Record<string, string>>;
  webhookRetry?: { maxAttempts?: number; baseDelayMs?: number; timeoutMs?: number };
  /** seeds the sandbox's own randomness (fault fractions, webhook shuffles), a 32-bit unsigned integer; default: Math.random */
  randomSeed?: number;
  /** one line per request; never given the Authorization header */
  log?: (line: string) => void;
}

export interface RunningSandbox {
  url: string;
  port: number;
  control: SandboxControl;
  /** Ends holdStateWrites: the state is written from now on (at once if it changed meanwhile). */
  releaseStateWrites(): void;
  close(): Promise<void>;
}

export function buildRouter(): Router {
  const router = new Router();
  registerAccounts(router);
  registerCheckout(router);
  registerPayments(router);
  registerTransfers(router);
  registerPayouts(router);
  registerDisputes(router);
  registerEvents(router);
  registerAccountsV2(router);
  registerEventsV2(router);
  registerBalanceSettings(router);
  return router;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? '127.0.0.1';
  const config = {
    baseUrl: options.publicUrl ?? '',
    processingFee: options.processingFee ?? DEFAULT_PROCESSING_FEE,
    disputeFee: options.disputeFee ?? 1500,
    availableAfter: options.availableAfter ?? 2 * DAY,
    settlementCurrency: (options.settlementCurrency ?? 'usd').toLowerCase(),
    exchangeRates: options.exchangeRates ?? DEFAULT_EXCHANGE_RATES,
    payoutArrival: 2 * DAY,
    webhookRetry: { maxAttempts: options.webhookRetry?.maxAttempts ?? 6, baseDelayMs: options.webhookRetry?.baseDelayMs ?? 250, timeoutMs: options.webhookRetry?.timeoutMs ?? 10_000 },
  };
  if (options.randomSeed !== undefined && !isRandomSeed(options.randomSeed)) throw new Error(`randomSeed must be an integer from 0 to 4294967295, got ${options.randomSeed}`);
  const random = new SandboxRandom(options.randomSeed);
  const sb = new Sandbox(config, new SandboxClock(options.clockStart), options.webhookEndpoints ?? [], options.eventDestinations ?? [], random);
  schedulePayouts(sb);
  if (options.stateFile && fs.existsSync(options.stateFile)) loadState(sb, options.stateFile);
  // A state file we cannot write is refused now, not found out on the first request that changes something.
  if (options.stateFile) assertStateFileWritable(options.stateFile);
  const report = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A later failure (disk full, volume remounted read-only) is logged; the state stays in memory.
  const save = (file: string) => {
    try {
      saveState(sb, file);
    } catch (err) {
      report(`stripe-sandbox: cannot write the state file ${file} (SANDBOX_STATE_FILE): ${err instanceof Error ? err.message : String(err)}; the state is kept in memory only`);
    }
  };
  let saveTimer: NodeJS.Timeout | null = null;
  let holding = options.holdStateWrites === true;
  let changedWhileHeld = false;
  if (options.stateFile) {
    const file = options.stateFile;
    sb.onChange = () => {
      if (holding) {
        changedWhileHeld = true;
        return;
      }
      if (saveTimer) return;
      saveTimer = setTimeout(() => {
        saveTimer = null;
        save(file);
      }, 200);
    };
  }
  const faults = new FaultInjector(random);
  const meter = new RequestMeter();
  meter.watchEventLoop();
  const control = new SandboxControl(sb, faults, meter);
  const { server, sockets } = createHttpServer({ sb, router: buildRouter(), faults, meter, control: controlHandler(sb, control), log: options.log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  if (!config.baseUrl) config.baseUrl = url;
  return {
    url,
    port,
    control,
    releaseStateWrites: () => {
      if (!holding) return;
      holding = false;
      if (changedWhileHeld) sb.onChange();
    },
    close: async () => {
      sb.dispatcher.close();
      meter.close();
      if (saveTimer) clearTimeout(saveTimer);
      if (options.stateFile && !holding) save(options.stateFile);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets as Set<Socket>) s.destroy();
      });
    },
  };
}
