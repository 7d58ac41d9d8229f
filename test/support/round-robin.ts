import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobin {
  /** Where clients (and the sandbox's webhook deliveries) send their requests. */
  url: string;
  /** How many requests each upstream answered, in the order given. */
  served: number[];
  close(): Promise<void>;
}

/** Where a balancer running as its own process (round-robin-main.ts) answers its `served` counts instead of passing the request on. */
export const SERVED_PATH = '/_round-robin/served';

/**
 * A load balancer in front of several api processes, as production has one: each request goes to the
 * next upstream in turn, its body passed through byte for byte (webhook signatures are over the raw
 * body). An upstream that refuses the connection is answered 502, as a balancer would. With
 * `servedPath`, `GET servedPath` answers `{ served }` itself (for a balancer in a process of its own).
 */
export async function roundRobin(upstreams: string[], options: { port?: number; servedPath?: string } = {}): Promise<RoundRobin> {
  const targets = upstreams.map((u) => new URL(u));
  const served = targets.map(() => 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const server = http.createServer((req, res) => {
    if (options.servedPath && req.method === 'GET' && req.url === options.servedPath) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ served }));
      return;
    }
    const i = next++ % targets.length;
    const target = targets[i]!;
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent }, (answer) => {
      served[i]!++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'UPSTREAM_UNAVAILABLE', message: 'the api instance did not answer' } }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
