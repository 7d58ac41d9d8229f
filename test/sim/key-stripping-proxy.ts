// The deliberately broken safeguard, outside the app so no production setting can reach it: an
// HTTP proxy between the app and the sandbox that drops the Idempotency-Key header of POSTs to one
// path (e.g. /v1/transfers). With lost responses among the faults, a retry then makes a second object.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KeyStrippingProxy {
  /** Points the proxy at the sandbox; returns the proxy's own URL (the app's STRIPE_API_BASE). */
  forwardTo(targetUrl: string): string;
  close(): Promise<void>;
}

export async function startKeyStrippingProxy(strippedPath: string): Promise<KeyStrippingProxy> {
  let target: URL | undefined;
  const server = http.createServer((req, res) => {
    if (!target) {
      res.writeHead(502).end();
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: target.host };
    if (req.method === 'POST' && req.url?.split('?')[0] === strippedPath) delete headers['idempotency-key'];
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // a response the sandbox lost (or a reset) is lost for the app too
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    forwardTo(targetUrl) {
      target = new URL(targetUrl);
      return url;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
