// The sim's HTTP client of the api process, as a real client behaves: a request whose connection
// failed (socket hang up, ECONNRESET, ECONNREFUSED: the api died or is being replaced) is sent again,
// the same method, path, headers (its Idempotency-Key) and body, until it gets an HTTP answer; a 409
// IDEMPOTENCY.IN_FLIGHT (the dead request's claim, until its lease runs out) is retried too. Shaped
// like supertest's agent (`http.post(path).set(...).send(body)`), so the shared helpers take it.
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

const CONNECTION_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Answer {
  status: number;
  body: { error?: { code?: string } };
}

export interface RetryingClientOptions {
  /** How long one request is retried before the client gives up (the scenario then stops). */
  budgetMs?: number;
  /** Told of each retry: the request and why. */
  onRetry?: (what: string, why: string) => void;
}

/** A supertest-shaped agent of `url` whose requests are retried as a real client retries them. */
export function retryingClient(url: string, o: RetryingClientOptions = {}): TestAgent {
  const agent = Object.fromEntries(METHODS.map((m) => [m, (path: string) => pending(url, m, path, o)]));
  return agent as unknown as TestAgent;
}

/** One request being built (`set`, `send`, `query`, ... recorded), sent when awaited. */
function pending(url: string, method: (typeof METHODS)[number], path: string, o: RetryingClientOptions) {
  const calls: Array<[string, unknown[]]> = [];
  const expected: number[] = [];
  const builder: object = new Proxy(
    {},
    {
      get(_target, name) {
        if (name === 'then') return (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => send(url, method, path, calls, expected, o).then(resolve, reject);
        if (typeof name !== 'string') return undefined;
        return (...args: unknown[]) => {
          // a status expected is checked on the final answer, not on each attempt (a 409 in flight is retried first)
          if (name === 'expect') {
            if (typeof args[0] !== 'number' || args.length > 1) throw new Error('the retrying client checks expect(status) only');
            expected.push(args[0]);
          } else calls.push([name, args]);
          return builder;
        };
      },
    },
  );
  return builder;
}

async function send(url: string, method: (typeof METHODS)[number], path: string, calls: Array<[string, unknown[]]>, expected: number[], o: RetryingClientOptions): Promise<Answer> {
  const deadline = Date.now() + (o.budgetMs ?? 30_000);
  const what = `${method.toUpperCase()} ${path}`;
  for (let attempt = 1; ; attempt++) {
    let why: string;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: supertest's chain, replayed call by call
      let test: any = request(url)[method](path);
      for (const [name, args] of calls) test = test[name](...args);
      const res: Answer = await test;
      if (res.status !== 409 || res.body?.error?.code !== 'IDEMPOTENCY.IN_FLIGHT') {
        for (const status of expected) if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
        return res;
      }
      why = '409 IDEMPOTENCY.IN_FLIGHT';
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !CONNECTION_ERRORS.has(code)) throw error;
      why = `${code} (${(error as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: no answer after ${attempt} attempts (${o.budgetMs ?? 30_000} ms), last ${why}`);
    o.onRetry?.(what, why);
    await new Promise((r) => setTimeout(r, Math.min(100 * attempt, 500)));
  }
}
