import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxLaunch } from './config/configuration.js';

export interface LaunchedSandbox {
  url: string;
  /** Where browsers open its hosted pages (onboarding, checkout). */
  publicUrl: string;
  /** The service is up: from now on the sandbox writes its state file (a start that fails writes nothing). */
  serviceStarted(): void;
  stop(): Promise<void>;
}

// dist/apps/marketplace/src -> dist/apps/stripe-sandbox/src/main.js
const SANDBOX_MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../stripe-sandbox/src/main.js');

/**
 * Starts the Stripe sandbox as its own process beside the marketplace (what `npm start` does with
 * no Stripe key), wired to deliver webhooks and thin events to this service (at the port it bound), with its state
 * kept under DATA_DIR.
 */
export async function launchSandbox(launch: SandboxLaunch, wiring: { marketplaceUrl: string | null; stateFile: string }, log: (line: string) => void): Promise<LaunchedSandbox> {
  const endpoints = wiring.marketplaceUrl
    ? [
        { url: `${wiring.marketplaceUrl}/webhooks/stripe`, secret: launch.platformSecret, connect: false },
        { url: `${wiring.marketplaceUrl}/webhooks/stripe/connect`, secret: launch.connectSecret, connect: true },
      ]
    : [];
  // thin (v2) events go to an event destination, not a classic webhook endpoint
  const destinations = wiring.marketplaceUrl ? [{ url: `${wiring.marketplaceUrl}/webhooks/stripe/events`, secret: launch.eventsSecret }] : [];
  const child: ChildProcess = spawn(process.execPath, [SANDBOX_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      SANDBOX_PORT: String(launch.port),
      SANDBOX_HOST: launch.host,
      ...(launch.publicUrl ? { SANDBOX_PUBLIC_URL: launch.publicUrl } : {}),
      SANDBOX_WEBHOOK_ENDPOINTS: JSON.stringify(endpoints),
      SANDBOX_EVENT_DESTINATIONS: JSON.stringify(destinations),
      SANDBOX_STATE_FILE: wiring.stateFile,
      SANDBOX_HOLD_STATE: 'until-started',
    },
    // the IPC channel tells the sandbox when this process is gone, even after a SIGKILL
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.unref();
  child.channel?.unref();
  child.stdout?.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach(log));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = launch.url;

  const deadline = Date.now() + 15_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 100))]);
    if (early !== 'running') throw new Error(`the Stripe sandbox exited (code ${early}) before it was ready: ${stderr.trim().slice(-500)}`);
    try {
      const res = await fetch(`${url}/_sandbox/clock`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the Stripe sandbox did not answer on ${url} within 15 s`);
    }
  }
  return {
    url,
    publicUrl: launch.publicUrl ?? url,
    serviceStarted() {
      if (child.connected) child.send({ type: 'marketplace-started' });
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
