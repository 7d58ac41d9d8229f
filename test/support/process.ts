import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// the checkout, from test/support (Jest) or from dist/test/support (compiled for `npm run sim`)
const HERE = import.meta.dirname ?? process.cwd();
export const ROOT = path.resolve(HERE, HERE.split(path.sep).includes('dist') ? '../../..' : '../..');

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export interface RunOptions {
  /** Working directory (default the checkout). */
  cwd?: string;
  /** Its own process group (a terminal's Ctrl-C signals the whole group: `process.kill(-pid, 'SIGINT')`). */
  detached?: boolean;
}

/**
 * Runs a compiled entry point (dist/ is built by the global setup) with the given environment.
 * ENV_FILE=off unless the test sets it: a developer's `.env` in the checkout never reaches a test.
 */
export function runNode(entry: string, env: Record<string, string>, options: RunOptions = {}): RunningProcess {
  return run(process.execPath, [path.join(ROOT, entry)], env, options);
}

/** Any command (e.g. `npm start`) with the same environment rules as runNode. */
export function run(command: string, args: string[], env: Record<string, string>, options: RunOptions = {}): RunningProcess {
  let out = '';
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ENV_FILE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export async function waitForReady(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => ((await fetch(`${baseUrl}/health/ready`)).status === 200 ? true : undefined), timeoutMs, `${baseUrl}/health/ready`);
}

/** Waits for a line of the process's output matching `pattern`; returns the match. */
export async function waitForOutput(proc: RunningProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return waitFor(async () => pattern.exec(proc.output()) ?? undefined, timeoutMs, `output matching ${pattern}`);
}

/** SIGTERM, wait for a clean exit (the service stops what it started), SIGKILL after `graceMs`. */
export async function stopProcess(proc: RunningProcess, graceMs = 15_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** A fresh data directory for one test (never the checkout's .data/); postgres must be able to enter it. */
export function tempDataDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `marketplace-${prefix}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** Whether a process with this pid runs (a zombie does not). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The pid in the first line of a pid file (postmaster.pid, postgres.owner), or null. */
export function pidInFile(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
