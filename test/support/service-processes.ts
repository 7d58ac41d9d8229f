import os from 'node:os';
import type { EventDestinationConfig, WebhookEndpointConfig } from '../../apps/stripe-sandbox/src/index.js';
import type { RequestStats } from '../../apps/stripe-sandbox/src/http/request-meter.js';
import { runNode, stopProcess, waitForOutput, type RunningProcess } from './process.js';
import { SERVED_PATH } from './round-robin.js';

// The sandbox and the balancer as processes of their own (compiled entries under dist/, built by the
// global setup), for a test whose own event loop is busy with load: a stall there would delay the
// requests the balancer passes on and stamp the sandbox's arrivals late and together.

/** The sandbox's control API over HTTP (`/_sandbox/...`), the calls of `SandboxControl` a load test needs. */
export class RemoteSandboxControl {
  // one call at a time, in order: a call not awaited (the shared helpers' `advance`) still happens before the next
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly url: string) {}

  advance(seconds: number): Promise<number> {
    return this.inOrder(async () => (await this.send<{ now: number }>('POST', '/_sandbox/clock/advance', { seconds })).now);
  }

  webhooksIdle(): Promise<void> {
    return this.inOrder(async () => void (await this.send('GET', '/_sandbox/webhooks/idle')));
  }

  requestStats(opts: { windowSeconds?: number; key?: string } = {}): Promise<RequestStats> {
    const query = new URLSearchParams({ window: String(opts.windowSeconds ?? 60), key: opts.key ?? 'total' });
    return this.inOrder(() => this.send<RequestStats>('GET', `/_sandbox/requests/stats?${query}`));
  }

  resetRequestStats(): Promise<void> {
    return this.inOrder(async () => void (await this.send('DELETE', '/_sandbox/requests/stats')));
  }

  private inOrder<T>(fn: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(fn);
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async send<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    if (res.status !== 200) throw new Error(`the sandbox answered ${res.status} to ${method} ${path}: ${await res.text()}`);
    return (await res.json()) as T;
  }
}

export interface SandboxProcess {
  url: string;
  /** Its scheduling priority (nice value) as set: the one asked for where this process may set it (root), else the default 0. */
  priority: number;
  control: RemoteSandboxControl;
  process: RunningProcess;
  close(): Promise<void>;
}

/** `apps/stripe-sandbox/src/main.ts` (the sandbox's own entry, as `npm run sandbox` runs it) on a free port. */
/**
 * `priority` (a nice value, e.g. -10): scheduled ahead of the load, as Stripe's servers are not slowed by the
 * client's machine being busy; where it cannot be set (not root) the sandbox runs at the default priority.
 */
export async function startSandboxProcess(options: { webhookEndpoints: WebhookEndpointConfig[]; eventDestinations?: EventDestinationConfig[]; priority?: number }): Promise<SandboxProcess> {
  const proc = runNode('dist/apps/stripe-sandbox/src/main.js', {
    SANDBOX_PORT: '0',
    SANDBOX_WEBHOOK_ENDPOINTS: JSON.stringify(options.webhookEndpoints),
    ...(options.eventDestinations ? { SANDBOX_EVENT_DESTINATIONS: JSON.stringify(options.eventDestinations) } : {}),
  });
  const url = (await waitForOutput(proc, /stripe-sandbox listening on (http:\/\/\S+)/, 30_000))[1]!;
  return { url, priority: ahead(proc, options.priority ?? 0), control: new RemoteSandboxControl(url), process: proc, close: () => stopProcess(proc) };
}

// the nice value set on the process, or what it kept when that is not allowed
function ahead(proc: RunningProcess, priority: number): number {
  try {
    os.setPriority(proc.child.pid!, priority);
  } catch {
    // EACCES: not allowed to raise a priority here
  }
  return os.getPriority(proc.child.pid!);
}

export interface RoundRobinProcess {
  url: string;
  process: RunningProcess;
  /** How many requests each upstream answered, in the order given. */
  served(): Promise<number[]>;
  close(): Promise<void>;
}

/** The round-robin balancer (test/support/round-robin-main.ts) in front of `upstreams`. */
export async function startRoundRobinProcess(upstreams: string[]): Promise<RoundRobinProcess> {
  const proc = runNode('dist/test/support/round-robin-main.js', { ROUND_ROBIN_UPSTREAMS: upstreams.join(','), ROUND_ROBIN_PORT: '0' });
  const url = (await waitForOutput(proc, /round-robin listening on (http:\/\/\S+)/, 30_000))[1]!;
  return {
    url,
    process: proc,
    served: async () => ((await (await fetch(`${url}${SERVED_PATH}`)).json()) as { served: number[] }).served,
    close: () => stopProcess(proc),
  };
}
