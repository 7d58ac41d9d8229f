// The demo's plumbing: an HTTP client for the running service and a runner that prints each step.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export class DemoFailure extends Error {}

export interface DemoContext {
  baseUrl: string;
  api: DemoApi;
  /** What steps hand to later steps (keys, ids, links). Later issues add their own entries. */
  state: Record<string, unknown>;
  note(line: string): void;
}

export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** JSON over HTTP against the running service; any unexpected status is a DemoFailure. */
export class DemoApi {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    pathOrUrl: string,
    options: { key?: string; body?: unknown; expect?: number[]; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
    } catch (error) {
      throw new DemoFailure(
        `${method} ${url} failed: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}. Is \`npm start\` running at ${this.baseUrl}?`,
      );
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // not JSON (a page or a redirect): keep the text
    }
    const expected = options.expect ?? [200, 201];
    if (!expected.includes(res.status)) throw new DemoFailure(`${method} ${url} answered ${res.status} (expected ${expected.join(' or ')}): ${text.slice(0, 500)}`);
    return { status: res.status, body: body as T, headers: res.headers };
  }

  /** Submits an HTML form the way a browser does (urlencoded), without following redirects. */
  async submitForm(url: string, fields: Record<string, string>): Promise<Response> {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields), redirect: 'manual' });
  }
}

export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoFailure(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs the compiled `npm run admin:key` CLI (same environment) and returns the key it prints. */
export async function issueAdminKey(): Promise<string> {
  const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'admin-key.js');
  const printed = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [cli], { env: process.env }, (error, stdout, stderr) => (error ? reject(new DemoFailure(`admin-key CLI failed: ${stderr.trim() || error.message}`)) : resolve(stdout))),
  );
  const key = /mkt_[A-Za-z0-9_-]+/.exec(printed)?.[0];
  if (!key) throw new DemoFailure(`admin-key CLI printed no key: ${printed.slice(0, 300)}`);
  return key;
}

/** Runs the steps in order, printing each; stops at the first failure. Returns the exit code. */
export async function runDemo(baseUrl: string, steps: DemoStep[], out: (line: string) => void = console.log): Promise<number> {
  const ctx: DemoContext = { baseUrl, api: new DemoApi(baseUrl), state: {}, note: (line) => out(`      ${line}`) };
  out(`Marketplace demo against ${baseUrl}\n`);
  for (const [i, step] of steps.entries()) {
    out(`[${i + 1}/${steps.length}] ${step.title}`);
    const started = Date.now();
    try {
      await step.run(ctx);
    } catch (error) {
      out(`      FAILED: ${error instanceof Error ? error.message : String(error)}`);
      if (!(error instanceof DemoFailure) && error instanceof Error && error.stack) out(error.stack);
      out(`\nDemo failed at step ${i + 1}.`);
      return 1;
    }
    out(`      ok (${Date.now() - started} ms)`);
  }
  out(`\nDemo finished: all ${steps.length} steps passed.`);
  return 0;
}
